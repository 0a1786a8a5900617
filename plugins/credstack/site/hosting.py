"""Static hosts' limits, and how close a built site comes to them.

A registry grows by a few files and kilobytes per credential, and the hosts a static site goes
to refuse a deployment past a size or a number of files. The plugin measures the built site and
warns, with the figures and the fix, from :data:`NEAR` of a limit on. The limits, as the hosts
document them (checked for this project; see ``/work/shared/NOTES.md``):

- GitHub Pages: a published site may be no larger than 1 GB;
- GitLab Pages: 1 GB and 200,000 files;
- Cloudflare Pages (free plan): 20,000 files per deployment.

Sizes are in decimal units (1 GB = 10^9 bytes), the stricter reading. GitHub Pages receives a
site as one tar archive (``actions/upload-pages-artifact``; its README: "we recommend under 1
GB"), so its limit is held against the archive's size: every file and folder costs a 512-byte
header and its data is padded to 512 bytes, about 770 bytes a file more than the file itself.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: A finding is reported from this share of a limit on.
NEAR = 0.8


@dataclass(frozen=True)
class Host:
    name: str  # as written in mkdocs.yml (the plugin's ``hosts`` option)
    label: str
    max_bytes: int | None = None
    max_files: int | None = None
    #: The size held against ``max_bytes``: "files" (their sum) or "tar" (the upload archive).
    counts: str = "files"


HOSTS = (
    Host("github-pages", "GitHub Pages", max_bytes=10**9, counts="tar"),
    Host("gitlab-pages", "GitLab Pages", max_bytes=10**9, max_files=200_000),
    Host("cloudflare-pages", "Cloudflare Pages (free plan)", max_files=20_000),
)
HOST_NAMES = tuple(h.name for h in HOSTS)


@dataclass(frozen=True)
class SiteSize:
    bytes: int
    files: int
    #: The size of a tar archive of the site (what GitHub Pages receives); None: not measured.
    tar: int | None = None

    def size_for(self, host: Host) -> int:
        """The bytes ``host`` counts against its limit."""
        return self.tar if host.counts == "tar" and self.tar is not None else self.bytes


#: tar (POSIX ustar, as GNU tar writes it): 512-byte blocks, written in records of 20 blocks.
BLOCK = 512
RECORD = 20 * BLOCK
#: Longer member names take an extra GNU long-name entry (header and name blocks).
TAR_NAME_MAX = 100


def _round_up(size: int, unit: int) -> int:
    return -(-size // unit) * unit


def _tar_entry(name_bytes: int, size: int) -> int:
    """Bytes a member of ``size`` bytes, named in ``name_bytes`` bytes, takes in a tar."""
    extra = BLOCK + _round_up(name_bytes + 1, BLOCK) if name_bytes > TAR_NAME_MAX else 0
    return extra + BLOCK + _round_up(size, BLOCK)


@dataclass(frozen=True)
class Finding:
    host: Host
    what: str  # "size" | "files"
    value: int
    limit: int
    message: str

    @property
    def share(self) -> float:
        return self.value / self.limit

    @property
    def exceeded(self) -> bool:
        return self.value > self.limit


def measure(site: Path) -> SiteSize:
    """Bytes (apparent file sizes, each hard link counted: a deployment uploads every path),
    number of files, and the size of a tar archive of ``site`` (members named ``./path``, as
    ``tar -C site -cf - .`` names them; folders are members too)."""
    total = files = 0
    tar = _tar_entry(2, 0)  # "./"
    root = str(site)
    stack = [root]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                name = len(os.fsencode("." + entry.path[len(root) :]))
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                    tar += _tar_entry(name + 1, 0)  # "./dir/"
                elif entry.is_file(follow_symlinks=False):
                    size = entry.stat(follow_symlinks=False).st_size
                    files += 1
                    total += size
                    tar += _tar_entry(name, size)
    tar = _round_up(tar + 2 * BLOCK, RECORD)  # two zero blocks, then whole records
    return SiteSize(total, files, tar)


def fmt_bytes(value: int) -> str:
    """'912 MB', '1.2 GB', '30 KB' (decimal units, as the hosts state their limits)."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if value >= scale:
            number = value / scale
            return f"{number:.1f} {unit}" if number < 10 else f"{number:,.0f} {unit}"
    return f"{value} bytes"


def _fix(what: str, lean: bool) -> str:
    if not lean:
        return (
            "set 'lean: true' under the credstack plugin in mkdocs.yml: each credential then "
            "takes 2 files and about 12 KB, 14 KB in a tar (its page and signed JSON; the "
            "badge images are made in the visitor's browser)"
        )
    return (
        "the site is already lean: host it where the limit is higher, or split the registry "
        f"into several sites (the {what} grows with every credential)"
    )


def findings(size: SiteSize, *, credentials: int, lean: bool, near: float = NEAR) -> list[Finding]:
    """Every host limit the site reaches ``near`` of or exceeds, with a message and a fix."""
    out: list[Finding] = []
    per = max(credentials, 1)
    for host in HOSTS:
        for what, value, limit in (
            ("size", size.size_for(host), host.max_bytes),
            ("files", size.files, host.max_files),
        ):
            if limit is None or value < near * limit:
                continue
            verb = "exceeds" if value > limit else "nears"
            if what == "size":
                measured = "the site"
                if host.counts == "tar" and size.tar is not None:
                    measured = "its upload (a tar archive of the site)"
                figure = (
                    f"{measured} is {fmt_bytes(value)}, {value / limit:.0%} of the "
                    f"{fmt_bytes(limit)} it allows ({fmt_bytes(value // per)} per credential, "
                    f"{credentials:,} credentials)"
                )
            else:
                figure = (
                    f"the site has {value:,} files, {value / limit:.0%} of the {limit:,} it "
                    f"allows ({value / per:.1f} per credential, {credentials:,} credentials)"
                )
            message = (
                f"credstack: the site {verb} a limit of {host.label}: {figure}\n"
                f"  hint: {_fix(what, lean)}"
            )
            out.append(Finding(host, what, value, limit, message))
    return out
