"""The public site: one real `mkdocs build --strict` of a scratch copy of the demo registry.

The scratch copy holds the demo's issued credentials (revoked, suspended, expired, renewed and
corrected ones among them) plus one credential awarded here with the TEST-ONLY key to a hostile
recipient name and a `javascript:` evidence URL. Tests read the real HTML, images and files.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from credstack.crypto.contexts import context_bundle
from credstack.model.baking import extract
from credstack.model.certificate import long_date as fmt_date
from credstack.model.credential import Evidence, issuer_profile
from credstack.registry.award import AwardInput
from credstack.registry.registry import Registry
from credstack.registry.verify import registry_verifier
from support import at, award, scratch_registry

HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_EVIDENCE = "javascript:alert(1)"


def _command(name: str) -> list[str]:
    exe = shutil.which(name, path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", name]


def mkdocs_build(root: Path, site: Path, epoch: int) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch), "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [*_command("mkdocs"), "build", "--strict", "-f", str(root / "mkdocs.yml"), "-d", str(site)],
        cwd=root,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=600,
        check=False,
    )


@dataclass
class Built:
    root: Path
    site: Path
    registry: Registry
    at: datetime
    epoch: int
    hostile: str  # cid of the credential with the hostile name and evidence
    output: str

    def page(self, cid: str) -> str:
        return (self.site / "credentials" / cid / "index.html").read_text("utf-8")


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Built:
    root = scratch_registry(tmp_path_factory.mktemp("site"), with_issued=True)
    plan = award(
        root,
        AwardInput(
            achievement="facilitation-fundamentals",
            name=HOSTILE_NAME,
            email="hostile@example.org",
            issued_at=at("2026-01-15"),
            result="pass",
            evidence=(Evidence(HOSTILE_EVIDENCE, HOSTILE_EVIDENCE),),
        ),
    )
    epoch = int(time.time())
    site = root / "site"
    result = mkdocs_build(root, site, epoch)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    return Built(
        root=root,
        site=site,
        registry=Registry(root),
        at=datetime.fromtimestamp(epoch, UTC),
        epoch=epoch,
        hostile=plan.awarded[0].cid,
        output=output,
    )


class _Links(HTMLParser):
    """Every attribute of every tag, and the page's text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


def state(built: Built, cid: str) -> str:
    """What the page must say about ``cid``, worked out from the registry itself."""
    view = built.registry.credentials[cid]
    current = built.registry.current_status(cid)
    if current.revoked:
        return "revoked"
    if current.suspended:
        return "suspended"
    if view.valid_until is not None and view.valid_until <= built.at:
        return "expired"
    return "active"


# -- the build ------------------------------------------------------------------------------


def test_strict_build_has_no_warnings(built):
    assert "WARNING" not in built.output
    assert "credentials checked" in built.output


def test_every_credential_has_its_page_json_and_images(built):
    assert len(built.registry.credentials) >= 10
    for cid in built.registry.credentials:
        folder = built.site / "credentials" / cid
        issued = built.root / "issued" / "credentials" / f"{cid}.json"
        assert (folder / "index.html").is_file(), cid
        assert (folder / "credential.json").read_bytes() == issued.read_bytes(), cid
        assert Image.open(folder / "badge.png").size == (600, 600)
        # badge.svg is made on demand (the page's badge maker, `credstack badge`).
        assert sorted(p.name for p in folder.iterdir()) == [
            "badge.png",
            "credential.json",
            "index.html",
        ]


def test_default_output_is_small(built):
    """At most 30 KB and 4 files a credential (here 3: the page, the signed JSON as issued, a
    palette PNG with the credential baked in)."""
    sizes = [
        sum(p.stat().st_size for p in (built.site / "credentials" / cid).iterdir())
        for cid in built.registry.credentials
    ]
    assert sum(sizes) / len(sizes) <= 30_000, sorted(sizes)


def test_baked_credentials_are_the_issued_ones_and_verify(built):
    verifier = registry_verifier(built.registry, at=built.at)
    for cid in built.registry.credentials:
        issued = json.loads((built.root / "issued" / "credentials" / f"{cid}.json").read_bytes())
        for name in ("badge.png",):
            baked = extract((built.site / "credentials" / cid / name).read_bytes())
            assert baked == issued, f"{cid}/{name}"
            report = verifier.verify(baked, target=f"{cid}/{name}")
            expected = {"active": "verified"}.get(state(built, cid), state(built, cid))
            assert report.status == expected, (cid, name, report.verdict)


def test_credstack_verify_reads_the_baked_images(built):
    targets = sorted(str(p) for p in (built.site / "credentials").glob("*/badge.*"))
    result = subprocess.run(
        [*_command("credstack"), "-C", str(built.root), "verify", "--json", *targets],
        cwd=built.root,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )
    assert result.stdout.strip(), result.stderr
    reports = json.loads(result.stdout)
    assert len(reports) == len(targets) == len(built.registry.credentials)
    for report in reports:
        cid = Path(report["target"]).parent.name
        expected = {"active": "verified"}.get(state(built, cid), state(built, cid))
        assert report["status"] == expected, report


def test_qr_code_on_each_badge_is_the_page_url(built):
    zxingcpp = pytest.importorskip("zxingcpp")
    for cid in built.registry.credentials:
        image = Image.open(built.site / "credentials" / cid / "badge.png")
        found = [r.text for r in zxingcpp.read_barcodes(image)]
        assert found == [built.registry.urls.credential(cid)], cid


# -- credential pages ---------------------------------------------------------------------------


def test_revoked_suspended_and_expired_credentials_say_so(built):
    seen = set()
    for cid in built.registry.credentials:
        html = built.page(cid)
        expected = state(built, cid)
        seen.add(expected)
        panel = re.search(r'<div id="credential-verification"[^>]*>', html).group(0)
        # data-status is "checking" until the in-browser verifier writes its verdict;
        # the build-time verdict is kept beside it.
        assert 'data-status="checking"' in panel
        assert f'data-build-status="{ {"active": "verified"}.get(expected, expected) }"' in panel
        assert 'data-credential-url="credential.json"' in panel
        assert "Checked when this site was built on" in html
        current = built.registry.current_status(cid)
        status = {"active": "verified"}.get(expected, expected)
        # The verdict banner comes first, for every state (valid included).
        assert html.index('id="credential-verification"') < html.index("<h1"), cid
        assert f'class="cs-verification cs-verification--{status}"' in panel, cid
        verdict = "".join(parse(html.split('class="cs-verification__verdict">')[1]).text)
        verdict = verdict.split("</p>")[0]
        if expected == "revoked":
            assert "Revoked by the issuer on" in verdict, cid
            assert parse_text_contains(html, current.revoked.reason), cid
        elif expected == "suspended":
            assert "Suspended by the issuer on" in verdict, cid
            assert parse_text_contains(html, current.suspended.reason), cid
        elif expected == "expired":
            assert "Verified, but expired on" in verdict, cid
        else:
            assert verdict.strip().lstrip("✓ ").startswith("Verified"), cid
            assert "Expired on" not in html, cid
    assert {"active", "revoked", "suspended", "expired"} <= seen, "the demo shows every state"


def test_pages_read_complete_without_javascript(built):
    """What a crawler, a link preview or a visitor without JavaScript gets: the verdict as of
    the build, the holder, the achievement, the issuer, the dates and the status."""
    program = built.registry.program
    for cid, view in built.registry.credentials.items():
        html = built.page(cid)
        text = " ".join(" ".join(parse(html).text).split())
        achievement = program.achievements[view.achievement_id]
        for fact in (view.name, achievement.name, program.issuer.name, fmt_date(view.valid_from)):
            assert fact in text, (cid, fact)
        if view.valid_until is not None:
            assert fmt_date(view.valid_until) in text, cid
        else:
            assert "Does not expire" in text, cid
        label = {
            "active": "In force",
            "expired": "Expired",
            "revoked": "Revoked",
            "suspended": "Suspended",
        }[state(built, cid)]
        assert f"Status {label} as of {fmt_date(built.at)}" in text, cid
        assert f"Checked when this site was built on {fmt_date(built.at)}" in text, cid
        # No theme: one stylesheet, the page script (async: it starts the loads, then runs the
        # verifier, which <head> preloads); no search index.
        tags = parse(html).tags
        verifier = "../../assets/credstack/verifier/credstack-verifier.js"
        assert [a["href"] for t, a in tags if t == "link" and a.get("rel") == "stylesheet"] == [
            "../../assets/credstack/credstack.css"
        ]
        assert [(a["href"], a["as"]) for t, a in tags if t == "link" and a["rel"] == "preload"] == [
            (verifier, "script")
        ]
        assert [(a["src"], "async" in a) for t, a in tags if t == "script"] == [
            ("../../assets/credstack/credstack-page.js", True)
        ]
        assert "search" not in html and "md-" not in html


def parse_text_contains(html: str, text: str) -> bool:
    return text in "".join(parse(html).text)


def test_renewals_and_corrections_link_both_ways(built):
    linked = [e for e in built.registry.log if e.replacement]
    assert linked, "the demo has a corrected credential"
    for event in linked:
        old, new = built.page(event.credential), built.page(event.replacement)
        assert f'href="../../credentials/{event.replacement}/"' in old
        assert f'href="../../credentials/{event.credential}/"' in new


def test_certification_links_its_component_credentials(built):
    certs = [
        v for v in built.registry.credentials.values() if v.achievement_type == "Certification"
    ]
    assert certs
    for view in certs:
        html = built.page(view.cid)
        for evidence in view.evidence:
            other = built.registry.urls.cid_from_url(evidence.url)
            if other in built.registry.credentials:
                assert f'href="../../credentials/{other}/"' in html


def test_progress_toward_the_certification(built):
    program = built.registry.program
    pathway = next(iter(program.pathways.values()))
    found = 0
    for cid, view in built.registry.credentials.items():
        if state(built, cid) != "active" or view.achievement_type == "Certification":
            continue
        held = {
            aid for aid, views in built.registry.holdings(view.recipient, built.at).items() if views
        }
        done, needed = pathway.progress(held)
        if pathway.certification in held:
            continue
        cert = program.achievements[pathway.certification].name
        text = " ".join("".join(parse(built.page(cid)).text).split())
        assert f"{done} of {needed} toward {cert}" in text, cid
        found += 1
    assert found >= 3


def test_hostile_name_and_evidence_come_out_inert(built):
    html = built.page(built.hostile)
    assert HOSTILE_NAME not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<title>" in html and "onerror=alert(1)&gt;" in html.split("</title>")[0]
    tags = parse(html).tags
    assert not [t for t, a in tags if t == "img" and a.get("onerror")]
    hrefs = [a.get("href") or "" for _, a in tags]
    assert not [h for h in hrefs if h.strip().lower().startswith("javascript:")]
    assert parse_text_contains(html, HOSTILE_EVIDENCE)  # shown, as text
    assert parse_text_contains(html, HOSTILE_NAME)
    for path in built.site.rglob("*.html"):
        text = path.read_text("utf-8")
        assert HOSTILE_NAME not in text, path
        assert 'href="javascript:' not in text.lower(), path


# -- site-wide rules ----------------------------------------------------------------------------


def test_every_page_has_a_restrictive_csp_and_loads_nothing_from_elsewhere(built):
    pages = list(built.site.rglob("*.html"))
    assert len(pages) > len(built.registry.credentials)
    for path in pages:
        html = path.read_text("utf-8")
        head = html.split("</head>")[0]
        csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', head)
        assert csp, path
        assert head.index("Content-Security-Policy") < head.index("<script"), path
        policy = csp.group(1)
        assert policy.startswith("default-src 'none'; script-src 'self'"), path
        assert "unsafe-inline" not in policy, path
        # Only the verify page may fetch (not load code from) other issuers' keys over https.
        connect = re.search(r"connect-src ([^;]+)", policy).group(1)
        allowed = "'self' https:" if path.parent.name == "verify" else "'self'"
        assert connect == allowed, path
        assert "https:" not in policy.replace("connect-src 'self' https:", ""), path
        for tag, attrs in parse(html).tags:
            for name in ("src", "href") if tag in ("script", "link", "img", "iframe") else ():
                value = attrs.get(name) or ""
                if tag == "link" and attrs.get("rel") in ("canonical", "alternate"):
                    continue
                assert not value.startswith(("http:", "https:", "//")), (path, tag, value)
        assert "fonts.googleapis" not in html and "unpkg.com" not in html, path


def test_credential_pages_stay_out_of_nav_search_and_sitemap(built):
    index = json.loads((built.site / "search" / "search_index.json").read_text("utf-8"))
    assert not [d for d in index["docs"] if d["location"].startswith("credentials/")]
    assert [d for d in index["docs"] if d["location"].startswith("achievements/")]
    sitemap = (built.site / "sitemap.xml").read_text("utf-8")
    assert "/credentials/credentials/" not in sitemap and "/achievements/" in sitemap
    home = (built.site / "index.html").read_text("utf-8")
    assert 'href="credentials/' not in home
    for cid in built.registry.credentials:
        assert '<meta name="robots" content="noindex">' in built.page(cid)


def test_open_graph_preview(built):
    """Link previews are drawn per achievement (and per state, so that a revoked credential's
    shared link says so), not per credential: the page's title names the recipient."""
    registry = built.registry
    for wanted in ("active", "revoked"):
        cid = next(c for c in registry.credentials if state(built, c) == wanted)
        html = built.page(cid)
        url = registry.urls.credential(cid)
        aid = registry.credentials[cid].achievement_id
        name = "preview.png" if wanted == "active" else f"preview-{wanted}.png"
        image = f"{registry.urls.achievement(aid)}{name}"
        assert f'<meta property="og:url" content="{url}">' in html
        assert f'<meta property="og:image" content="{image}">' in html
        assert '<meta property="og:image:width" content="1200">' in html
        assert '<meta property="og:image:height" content="627">' in html
        assert '<meta name="twitter:card" content="summary_large_image">' in html
        path = built.site / image.removeprefix(registry.urls.site)
        assert Image.open(path).size == (1200, 627)
    assert not list(built.site.glob("credentials/*/preview.png"))


def test_credential_pages_name_their_status_lists_for_early_loading(built):
    """Each page names, in <head>, every status list its credential's status depends on: the
    lists it points to and their suspension companions, which the verifier reads too (paths in
    the site, each a published file), so the page script loads them before the credential
    itself has arrived, with no rule of its own. This site keeps no log: no log files."""
    registry = built.registry
    for cid, view in registry.credentials.items():
        html = built.page(cid)
        head = html.split("</head>", 1)[0]
        tags = [a for t, a in parse(head).tags if a.get("name") == "credstack:preload"]
        pointed = {r.list_url for r in view.statuses if not r.implied}
        assert pointed, cid
        assert len(tags) == 1, cid
        paths = (tags[0]["content"] or "").split(" ")
        named = {registry.urls.site + p for p in paths}
        assert named == {r.list_url for r in view.statuses}, cid
        companions = {u.replace("/revocation-", "/suspension-") for u in pointed}
        assert pointed | companions == named, cid
        assert all((built.site / p).is_file() for p in paths), cid


def test_machine_endpoints_are_published(built):
    site, registry = built.site, built.registry
    assert json.loads((site / "did.json").read_text()) == registry.did_document()
    assert registry.did_document()["id"] == registry.urls.issuer_id
    for source in sorted((built.root / "issued" / "status").glob("*.json")):
        assert (site / "status" / source.name).read_bytes() == source.read_bytes()
    for url in registry.status_lists:
        assert (site / url.removeprefix(registry.urls.site)).is_file(), url
    assert json.loads((site / "issuer.json").read_text()) == issuer_profile(registry.program)
    assert json.loads((site / "contexts.json").read_text()) == context_bundle()


def test_program_pages(built):
    program = built.registry.program
    for a in program.achievements.values():
        html = (built.site / "achievements" / a.id / "index.html").read_text("utf-8")
        assert 'id="criteria"' in html and (a.assessment is None or 'id="result"' in html)
        assert (built.site / "achievements" / a.id / "badge.png").is_file()
    for c in program.competencies.values():
        assert (built.site / "competencies" / c.id / "index.html").is_file()
    for p in program.pathways.values():
        html = (built.site / "pathways" / p.id / "index.html").read_text("utf-8")
        assert 'class="cs-stack"' in html and "Capstone" in html
    catalog = (built.site / "achievements" / "index.html").read_text("utf-8")
    for a in program.achievements.values():
        assert str(a.price) in catalog
    assert "mermaid" not in catalog


def test_two_builds_are_byte_identical(built, tmp_path):
    """A second build, from a copy in another folder with an empty cache, gives the same bytes."""
    copy = tmp_path / "copy"
    shutil.copytree(
        built.root, copy, ignore=shutil.ignore_patterns(".cache", "site", "__pycache__")
    )
    result = mkdocs_build(copy, copy / "site", built.epoch)
    assert result.returncode == 0, result.stderr

    def tree(folder: Path) -> dict[str, str]:
        return {
            str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file()
        }

    first, second = tree(built.site), tree(copy / "site")
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


def test_unchanged_credentials_cost_nothing_next_build(built, tmp_path):
    cache = built.root / ".cache" / "credstack" / "site"
    before = {p: p.stat().st_mtime_ns for p in cache.rglob("*") if p.is_file()}
    assert before
    result = mkdocs_build(built.root, tmp_path / "again", built.epoch)
    assert result.returncode == 0, result.stderr
    assert "0 verified now" in result.stdout + result.stderr
    after = {p: p.stat().st_mtime_ns for p in cache.rglob("*") if p.is_file()}
    assert after == before


def test_bare_domain_publishes_the_did_document_under_well_known(tmp_path):
    root = scratch_registry(tmp_path)  # empty issued/, TEST-ONLY key
    config = root / "mkdocs.yml"
    config.write_text(
        re.sub(
            r"(?m)^site_url: .*$", "site_url: https://credentials.example.org/", config.read_text()
        )
    )
    for page in (root / "site_src").glob("*.md"):  # the demo's pages link to did.json
        page.write_text(page.read_text("utf-8").replace("(did.json)", "(.well-known/did.json)"))
    award(
        root,
        AwardInput(
            achievement="session-design",
            name="Ada",
            email="ada@example.org",
            issued_at=at("2026-02-01"),
        ),
    )
    result = mkdocs_build(root, root / "site", int(time.time()))
    assert result.returncode == 0, result.stderr
    registry = Registry(root)
    assert registry.urls.issuer_id == "did:web:credentials.example.org"
    published = json.loads((root / "site" / ".well-known" / "did.json").read_text())
    assert published == registry.did_document()
    assert not (root / "site" / "did.json").exists()


# -- problems stop the build before anything is rendered ----------------------------------------


def test_program_errors_stop_the_build_with_a_hint(tmp_path):
    root = scratch_registry(tmp_path, with_issued=True)
    path = root / "program" / "achievements" / "session-design.yml"
    path.write_text(path.read_text("utf-8").replace("level: foundation", "level: beginner"))
    result = mkdocs_build(root, root / "site", int(time.time()))
    assert result.returncode != 0
    assert "credstack: program/achievements/session-design.yml" in result.stderr
    assert "hint:" in result.stderr and "Traceback" not in result.stderr
    assert not (root / "site" / "index.html").exists()


def test_a_tampered_credential_stops_the_build(tmp_path):
    root = scratch_registry(tmp_path, with_issued=True)
    target = sorted((root / "issued" / "credentials").glob("*.json"))[0]
    doc = json.loads(target.read_text("utf-8"))
    for identifier in doc["credentialSubject"]["identifier"]:
        if identifier["identityType"] == "name":
            identifier["identityHash"] = "Someone Else"
    target.write_text(json.dumps(doc, indent=2))
    result = mkdocs_build(root, root / "site", int(time.time()))
    assert result.returncode != 0
    assert f"issued/credentials/{target.name}" in result.stderr
    assert "do not verify" in result.stderr and "hint:" in result.stderr


# -- in a real browser ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def served(built):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)],
        cwd=built.site,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(50):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.browser
def test_pages_run_without_csp_violations_or_script_injection(built, served, browser):
    pages = [
        "",
        "pathways/",
        "achievements/",
        "competencies/",
        f"credentials/{built.hostile}/",
        *[f"credentials/{c}/" for c in list(built.registry.credentials)[:3]],
    ]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.on(
        "request",
        lambda r: (
            problems.append(f"request: {r.url}")
            if not r.url.startswith((served, "data:"))
            else None
        ),
    )
    for path in pages:
        page.goto(served + path, wait_until="networkidle")
        if path.startswith("credentials/"):
            # let the in-browser verifier finish before leaving the page
            page.wait_for_function(
                "() => document.getElementById('credential-verification')"
                ".dataset.status !== 'checking'",
                timeout=20000,
            )
    # The search (a web worker) works under the policy and never finds credential pages.
    page.goto(served, wait_until="networkidle")
    page.click("input.md-search__input")
    page.keyboard.type("facilitation")
    page.wait_for_selector(".md-search-result__item", timeout=10000)
    results = page.eval_on_selector_all(".md-search-result__link", "e => e.map(a => a.href)")
    context.close()
    assert problems == [], problems
    assert results and not [r for r in results if "/credentials/2" in r]


def test_credential_pages_show_who_assessed_and_how(built):
    from credstack.model.assessment import assessment_record, method_label

    for cid, view in built.registry.credentials.items():
        record = assessment_record(view.raw)
        assert record is not None, cid
        html = built.page(cid)
        assert '<h2 id="assessment">Assessment</h2>' in html
        section = html.split('<h2 id="assessment">', 1)[1].split("</section>", 1)[0]
        assert method_label(record.method) in section
        for assessor in record.assessors:
            assert escape(assessor.name) in section, (cid, assessor.name)


def test_achievement_pages_say_how_the_assessment_is_run(built):
    for aid in built.registry.program.achievements:
        html = (built.site / "achievements" / aid / "index.html").read_text("utf-8")
        assert '<h3 id="how-assessed">How the assessment is run</h3>' in html, aid
        assert "appeal" in html


# -- issue 12: the issuer's contact and a certification's real entry requirement -------------


def test_the_contact_email_is_on_the_issuer_page_and_in_every_footer(built):
    issuer = built.registry.program.issuer
    about = (built.site / "issuer" / "index.html").read_text("utf-8")
    assert f'href="mailto:{issuer.email}"' in about
    assert built.registry.urls.issuer_id in about
    for page in (built.site / "index.html", built.site / "achievements" / "index.html"):
        html_text = page.read_text("utf-8")
        footer = html_text[html_text.index('class="md-copyright"') :]
        assert f'href="mailto:{issuer.email}"' in footer, page
        assert 'href="/credentials/issuer/"' in footer, page
    # Credential pages have a lean footer of their own (30 KB a credential): it links to the
    # about page, where the address is.
    page = built.page(built.hostile)
    footer = page[page.index('<footer class="cs-foot">') :]
    assert 'href="../../issuer/">Contact</a>' in footer


def test_a_certification_page_states_its_entry_requirement_not_prerequisites_none(built):
    program = built.registry.program
    cert = next(a for a in program.achievements.values() if a.level == "certification")
    page = (built.site / "achievements" / cert.id / "index.html").read_text("utf-8")
    pathway = program.pathway_for(cert.id)
    assert "Entry requirement" in page and "Prerequisites</dt><dd>None" not in page
    for group in pathway.requires:
        for aid in group.achievements:
            assert program.achievements[aid].name in page
    assert "passed capstone" in page
    micro = next(a for a in program.achievements.values() if a.level == "foundation")
    assert "Prerequisites" in (built.site / "achievements" / micro.id / "index.html").read_text()
