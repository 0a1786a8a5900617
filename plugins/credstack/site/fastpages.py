"""Thousands of credential pages through the theme, at the cost of a string join each.

A credential page differs from the next only in its title, description, URL and body; the rest
of what the theme template (Material's ``main.html``) draws around them (header, tabs, search,
palette, scripts) is the same for every page at the same depth. Rendering that template costs
about 2 ms a page, most of a large build. So the template is rendered once with unique
placeholder values for those fields, and every page is that output with its own values put in
where the placeholders came out (a *skeleton*).

Every plugin's hooks still run on every page (the plugin builds credential pages the way
MkDocs builds a page); only the template's ``render`` is replaced by :meth:`FastPages.render`.
A skeleton is used only when it stands for the template here:

- every other input of the template (the context MkDocs and the plugins built, and the page's
  other attributes: meta, table of contents, neighbours, edit URL, whether the body has an
  ``<h1>``) has to be the same as when the skeleton was made; pages that differ get a skeleton
  of their own (or the template itself after a few);
- the skeleton must reproduce a second placeholder render made with values full of characters
  that templates escape or transform (``<&"'>``, accents, long text);
- the first pages of each skeleton are also rendered by the template and compared byte for
  byte; a single difference retires the skeleton for the rest of the build.

Anything else goes through the template as usual, so the output is the same either way; the
plugin's ``fast: false`` renders every page through the template, and a test compares the two.
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from jinja2 import Environment

#: Pages of each skeleton that are also rendered by the template and compared.
SAMPLES = 2
#: Distinct skeletons made before giving up on pages that keep differing.
MAX_SKELETONS = 8
_SLOTS = ("title", "description", "content", "canonical_url", "abs_url", "url")
_MISSING = object()


def _freeze(value: Any, objects: list[Any]) -> Any:
    """A hashable stand-in for ``value``: small plain data by value, anything else by identity
    (the same object for every page, such as the config, the navigation or the file list),
    noted in ``objects`` (kept alive with the skeleton, so that its id is not reused)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple) and len(value) <= 64:
        return ("seq", tuple(_freeze(v, objects) for v in value))
    if isinstance(value, dict) and len(value) <= 64:
        return ("map", tuple(sorted((str(k), _freeze(v, objects)) for k, v in value.items())))
    objects.append(value)
    return ("id", id(value))


def _folder(url: str) -> tuple[str, str]:
    """("credentials/", "x") for "credentials/x/": a page URL's folder and last segment."""
    folder, _, last = url.rstrip("/").rpartition("/")
    return (folder + "/" if folder else ""), last


def _values(page: Any) -> tuple[str, ...] | None:
    """The page's values for the slots; None when the page is not one a skeleton can show
    (no title or description in its meta, no URLs)."""
    meta = page.meta
    title, description = meta.get("title"), meta.get("description")
    values = (title, description, page.content, page.canonical_url, page.abs_url, page.url)
    if not all(isinstance(v, str) and v for v in values) or not page.url.endswith("/"):
        return None
    return values  # type: ignore[return-value]


class _Skeleton:
    """The template's output as literal text and slots."""

    def __init__(self, parts: list[str | int]):
        self.parts = parts
        self.checked = 0

    def fill(self, values: tuple[str, ...]) -> str:
        return "".join(values[p] if isinstance(p, int) else p for p in self.parts)


def _split(output: str, tokens: tuple[str, ...]) -> list[str | int]:
    """``output`` cut at every occurrence of any token: text, slot index, text, ..."""
    parts: list[str | int] = []
    pos = 0
    while True:
        found = [(output.find(t, pos), i) for i, t in enumerate(tokens)]
        found = [(at, i) for at, i in found if at >= 0]
        if not found:
            parts.append(output[pos:])
            return parts
        at, i = min(found)
        parts.append(output[pos:at])
        parts.append(i)
        pos = at + len(tokens[i])


class FastPages:
    """Renders pages from skeletons of the theme templates of ``env``."""

    def __init__(self, env: Environment, *, log: Callable[[str], None] | None = None):
        self.env = env
        self.log = log or (lambda message: None)
        self._skeletons: dict[Any, _Skeleton | None] = {}
        self._alive: list[list[Any]] = []  # objects the shapes name by id
        self._date_matters: dict[str, bool] = {}
        self.filled = 0  # pages made from a skeleton
        self.rendered = 0  # pages (and samples) rendered by the template

    def render(self, variables: dict[str, Any], template: str = "main.html") -> str:
        """What ``env.get_template(template).render(variables)`` gives (``variables``: the
        page's template context)."""
        real = self.env.get_template(template)
        page = variables.get("page")
        values = _values(page) if page is not None else None
        if values is None:
            return self._real(real, variables)
        if template not in self._date_matters:
            self._date_matters[template] = self._depends_on_date(real, variables)
        objects: list[Any] = []
        shape = (template, self._shape(variables, page, self._date_matters[template], objects))
        skeleton = self._skeletons.get(shape, _MISSING)
        if skeleton is _MISSING:
            if len(self._skeletons) >= MAX_SKELETONS:
                return self._real(real, variables)
            skeleton = self._make(real, variables, page)
            self._skeletons[shape] = skeleton
            self._alive.append(objects)
        if skeleton is None:
            return self._real(real, variables)
        output = skeleton.fill(values)
        if skeleton.checked < SAMPLES:
            expected = self._real(real, variables)
            if expected != output:
                self._skeletons[shape] = None
                self.log(
                    f"page {page.url} differs from its skeleton: rendering such pages "
                    "through the template"
                )
                return expected
            skeleton.checked += 1
            return output
        self.filled += 1
        return output

    def _real(self, real, variables: dict[str, Any]) -> str:
        self.rendered += 1
        return real.render(variables)

    @staticmethod
    def _shape(variables: dict[str, Any], page: Any, date_matters: bool, objects: list) -> Any:
        """Everything the template sees besides the slot values."""
        context = tuple(
            (k, _freeze(v, objects))
            for k, v in variables.items()
            if k != "page" and (k != "build_date_utc" or date_matters)
        )
        meta = {k: v for k, v in page.meta.items() if k not in ("title", "description")}
        objects += [page.previous_page, page.next_page, page.parent, page.children]
        own = (
            _freeze(meta, objects),
            _freeze(list(page.toc), objects),
            id(page.previous_page),
            id(page.next_page),
            id(page.parent),
            id(page.children),
            page.is_homepage,
            page.edit_url,
            page.update_date,
            page.markdown,
            "<h1" in page.content,
            _folder(page.url)[0],
        )
        return context, own

    def _proxy(self, page: Any, values: tuple[str, ...]) -> Any:
        """A copy of ``page`` showing ``values`` in the slots."""
        proxy = copy.copy(page)
        proxy.meta = {**page.meta, "title": values[0], "description": values[1]}
        proxy.content = values[2]
        proxy.canonical_url = values[3]
        proxy.abs_url = values[4]
        proxy.file = copy.copy(page.file)
        proxy.file.url = values[5]
        return proxy

    def _placeholders(self, page: Any, salt: str, noisy: bool) -> tuple[str, ...]:
        """Values for the slots that cannot occur otherwise. The page's own URL stays in its
        folder (relative links from the page depend on the folder, and are the same for every
        page in it that they do not point into)."""
        tokens = [f"csfast{salt}{name}x" for name in _SLOTS]
        if noisy:  # what escaping or any other transformation would change
            for i in range(3):
                tokens[i] = f' <b a="1">&amp; "Łódź" \'{tokens[i]}\' {"long " * 40}</b> '
        if "<h1" in page.content:  # the theme adds a heading to bodies without one
            tokens[2] = f"<h1>{tokens[2]}</h1>"
        folder, _ = _folder(page.url)
        tokens[5] = f"{folder}{tokens[5]}/"
        return tuple(tokens)

    def _make(self, real, variables: dict[str, Any], page: Any) -> _Skeleton | None:
        values = self._placeholders(page, secrets.token_hex(6), noisy=False)
        output = self._real(real, {**variables, "page": self._proxy(page, values)})
        skeleton = _Skeleton(_split(output, values))
        # The same with values that a transforming template would change.
        others = self._placeholders(page, secrets.token_hex(6), noisy=True)
        expected = self._real(real, {**variables, "page": self._proxy(page, others)})
        if skeleton.fill(others) != expected:
            self.log("the theme template transforms page titles or bodies: no skeleton")
            return None
        return skeleton

    def _depends_on_date(self, real, variables: dict[str, Any]) -> bool:
        """Whether the template shows the build date (then pages of different build instants
        cannot share a skeleton; MkDocs reads the clock for each page)."""
        when = variables.get("build_date_utc")
        if when is None:
            return False
        other = {**variables, "build_date_utc": when - timedelta(days=400, seconds=1)}
        return self._real(real, variables) != self._real(real, other)
