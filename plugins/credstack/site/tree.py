"""The site's ``credentials/`` folder, carried over from one build to the next.

Every credential has a folder with four files (page, signed JSON, PNG and SVG badges), all of
them hard links to entries of the build cache. MkDocs empties the site folder before each build;
remaking 10,000 folders and 40,000 files then costs more than everything else in a rebuild
(creating a file or folder costs about half a millisecond on some file systems; a hard link
next to nothing). So before MkDocs cleans up, the previous ``credentials/`` folder is moved
aside (to a hidden name in the site folder, which MkDocs leaves alone), and after the build it
is brought up to date and moved back: folders of credentials that are gone are removed, every
file that is not a link to the right cache entry is replaced, anything else is deleted. The
result is the same folder a build from nothing makes.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path

from credstack.site.background import Background
from credstack.site.cache import link_or_copy

FOLDER = "credentials"
KEPT = ".credstack-credentials"
#: Fewer credentials than this are put in place by this process alone.
PARALLEL_AT = 500


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def keep(site_dir: Path) -> None:
    """Move the previous build's ``credentials/`` out of MkDocs' way (before it cleans)."""
    current, kept = site_dir / FOLDER, site_dir / KEPT
    if not current.is_dir() or current.is_symlink():
        return
    if kept.exists():  # left by a build that failed: the newer folder wins
        _remove(kept)
    os.rename(current, kept)


def discard(site_dir: Path) -> None:
    """Forget a kept folder (a build that does not use it)."""
    kept = site_dir / KEPT
    if kept.exists():
        _remove(kept)


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_ino, a.st_dev) == (b.st_ino, b.st_dev)


def _put(folder: Path, files: Mapping[str, Path], exists: bool) -> None:
    """Make ``folder`` hold exactly ``files``."""
    if exists:
        present = set(os.listdir(folder))
    else:
        folder.mkdir()
        present = set()
    for name in present - set(files):
        _remove(folder / name)
    for name, source in files.items():
        target = folder / name
        if name in present:
            try:
                if _same_file(os.lstat(target), os.stat(source)):
                    continue
            except OSError:
                pass
            _remove(target)
        link_or_copy(source, target)


def finish(site_dir: Path, wanted: Mapping[str, Mapping[str, Path]], *, workers: int = 1) -> None:
    """Make ``site_dir/credentials/<cid>/<name>`` exactly ``wanted[cid][name]`` (cache files),
    reusing the kept folder; anything MkDocs put in ``credentials/`` meanwhile stays unless a
    credential's file has its name. Folders are made on ``workers`` processes (making one
    costs far more CPU time in the kernel than linking a file)."""
    root = site_dir / KEPT
    root.mkdir(parents=True, exist_ok=True)
    present_dirs = set(os.listdir(root))
    for name in present_dirs - set(wanted):
        _remove(root / name)
    jobs = []
    for cid, files in wanted.items():
        folder = root / cid
        exists = cid in present_dirs and folder.is_dir() and not folder.is_symlink()
        if cid in present_dirs and not exists:
            _remove(folder)
        jobs.append((folder, files, exists))
    Background(
        lambda job: _put(*job), jobs, workers if len(jobs) >= PARALLEL_AT else 1
    ).start().wait()
    current = site_dir / FOLDER
    if current.exists():
        # Files the site's own sources put under credentials/: theirs unless ours clash.
        for dirpath, _, filenames in os.walk(current):
            for filename in filenames:
                source = Path(dirpath) / filename
                target = root / source.relative_to(current)
                if not target.exists():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.rename(source, target)
        _remove(current)
    os.rename(root, current)
