"""``credstack badge``: a credential's baked badge images, made offline.

The same files a credential page makes in the browser on a lean site (``badge.svg`` byte for
byte, ``badge.png`` of the same layout): the layout and drawing are
:mod:`credstack.model.badge` and :mod:`credstack.model.badge_image`, shared with the site.
"""

from __future__ import annotations

from pathlib import Path

from credstack.errors import RegistryError
from credstack.model.badge import badge_text
from credstack.model.badge_image import badge_files
from credstack.registry.files import write_atomic
from credstack.registry.registry import Registry

#: Where hand-written site pages and given artwork live (MkDocs' docs_dir in the house layout).
DOCS_DIR = "site_src"


def write_badges(registry: Registry, cid_or_url: str, out: Path) -> list[Path]:
    """Write ``badge.png`` and ``badge.svg`` of one issued credential into ``out`` (made if
    missing; files there are replaced atomically). Returns the paths written.

    Raises RegistryError when the credential is unknown or its file cannot be read, and
    CredentialError when it is not a JSON object.
    """
    view = registry.get(cid_or_url)
    path = registry.credential_path(view.cid)
    try:
        credential = path.read_bytes()
    except OSError as e:
        raise RegistryError(f"cannot read {path}: {e.strerror}") from e
    achievement = registry.program.achievements.get(view.achievement_id)
    artwork = None
    if achievement and achievement.image and "://" not in achievement.image:
        given = registry.root / DOCS_DIR / achievement.image
        if given.suffix.lower() != ".svg" and given.is_file():
            artwork = given.read_bytes()
    files = badge_files(badge_text(view, achievement), view.id, credential, artwork)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in files.items():
        write_atomic(out / name, data)
        written.append(out / name)
    return written
