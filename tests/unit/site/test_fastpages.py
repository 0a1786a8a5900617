"""Skeletons of a theme template: the same output as the template, or the template itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from jinja2 import DictLoader, Environment

from credstack.site.fastpages import MAX_SKELETONS, FastPages

THEME = """<html><head><title>{{ page.meta.title }} - {{ config.site_name }}</title>
<meta name="description" content="{{ page.meta.description }}">
<link rel="canonical" href="{{ page.canonical_url }}"><base href="{{ base_url }}"></head>
<body>{% if "<h1" not in page.content %}<h1>{{ page.title }}</h1>{% endif %}{{ page.content }}
{% for item in nav %}<a href="{{ item }}">{{ item }}</a>{% endfor %}</body></html>"""


@dataclass
class File:
    url: str


@dataclass
class Page:
    file: File
    meta: dict
    content: str
    canonical_url: str
    abs_url: str
    toc: list = field(default_factory=list)
    previous_page: object = None
    next_page: object = None
    parent: object = None
    children: object = None
    is_homepage: bool = False
    edit_url: str | None = None
    update_date: str = "2026-11-20"
    markdown: str = ""

    @property
    def url(self) -> str:
        return self.file.url

    @property
    def title(self) -> str:
        return self.meta["title"]


def page(cid: str, title: str, body: str | None = None) -> Page:
    url = f"credentials/{cid}/"
    return Page(
        file=File(url),
        meta={"title": title, "description": f"{title}, described", "search": {"exclude": True}},
        content=f'<h1 id="credential">{title}</h1><p>{cid}</p>' if body is None else body,
        canonical_url=f"https://example.org/{url}",
        abs_url=f"/{url}",
    )


def context(p: Page, **extra) -> dict:
    return {
        "page": p,
        "config": {"site_name": "Site"},
        "nav": ["pathways/", "achievements/"],
        "base_url": "../..",
        "build_date_utc": datetime(2026, 11, 20, tzinfo=UTC),
        **extra,
    }


def env(theme: str = THEME) -> Environment:
    return Environment(loader=DictLoader({"main.html": theme}))


def test_pages_from_the_skeleton_are_what_the_template_renders():
    fast = FastPages(env())
    pages = [page(f"c{i}", f"Name {i} &amp; co · «x»") for i in range(20)]
    pages.append(page("h", "&lt;img src=x&gt;", body='<h1 id="credential">&lt;b&gt;</h1>'))
    for p in pages:
        assert fast.render(context(p)) == env().get_template("main.html").render(context(p))
    assert fast.filled == len(pages) - 2  # the first two are also rendered, and compared


def test_a_different_context_gets_a_skeleton_of_its_own():
    fast = FastPages(env())
    for i in range(6):
        for base in ("../..", "../../.."):
            c = context(page(f"c{i}", f"T{i}"), base_url=base)
            assert fast.render(c) == env().get_template("main.html").render(c)
    assert len(fast._skeletons) == 2
    body = page("x", "No heading", body="<p>no heading</p>")  # the theme adds one
    assert fast.render(context(body)) == env().get_template("main.html").render(context(body))


def test_transforming_templates_are_rendered_as_they_are():
    for theme in (
        THEME.replace("{{ page.meta.title }}", "{{ page.meta.title | upper }}"),
        THEME.replace("{{ page.meta.title }}", "{{ page.meta.title | e }}"),
        THEME.replace("{{ page.meta.title }}", "{{ page.meta.title | truncate(30) }}"),
        THEME.replace("{{ page.content }}", "{{ page.content | striptags }}"),
    ):
        fast = FastPages(env(theme))
        for i in range(5):
            p = page(f"c{i}", f"A long enough title, number {i} &amp; more")
            assert fast.render(context(p)) == env(theme).get_template("main.html").render(
                context(p)
            )
        assert fast.filled == 0


def test_a_template_that_shows_the_build_date_keeps_it():
    theme = THEME + "{{ build_date_utc }}"
    fast = FastPages(env(theme))
    for i in range(4):
        c = context(page(f"c{i}", "T"), build_date_utc=datetime(2026, 1, 1 + i, tzinfo=UTC))
        assert fast.render(c) == env(theme).get_template("main.html").render(c)


def test_pages_that_keep_differing_stop_making_skeletons():
    fast = FastPages(env(THEME + "{{ extra }}"))
    for i in range(MAX_SKELETONS + 5):
        c = context(page(f"c{i}", "T"), extra=object())  # a new object: a new shape
        fast.render(c)
    assert len(fast._skeletons) == MAX_SKELETONS


def test_a_skeleton_that_disagrees_with_the_template_is_dropped():
    class Sneaky:
        """A page attribute outside the slots that the template shows: differs per page."""

        def __init__(self):
            self.n = 0

        def __str__(self):
            self.n += 1
            return str(self.n)

    theme = THEME + "{{ page.file.extra }}"
    fast = FastPages(env(theme))
    shared = Sneaky()
    for i in range(4):
        p = page(f"c{i}", "T")
        p.file.extra = shared
        fast.render(context(p))
    assert fast.filled == 0  # the first comparison showed the difference
