"""The Content-Security-Policy meta tag: inline scripts allowed by hash, nothing else inline."""

from __future__ import annotations

import base64
import hashlib

from credstack.site.csp import add_policy, inline_script_hashes, policy

PAGE = (
    '<!doctype html><html><head><meta charset="utf-8"><title>t</title>'
    '<script>var a=1</script><script src="x.js"></script>'
    '<script id="__config" type="application/json">{"a": 1}</script></head>'
    "<body><script>var a=1</script><script type=module>b()</script></body></html>"
)


def sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_hashes_inline_executable_scripts_once_each():
    assert inline_script_hashes(PAGE) == [sha("var a=1"), sha("b()")]


def test_policy_is_restrictive():
    text = policy(PAGE)
    assert text.startswith("default-src 'none'; script-src 'self' " + sha("var a=1"))
    assert "unsafe-inline" not in text and "unsafe-eval" not in text
    assert "style-src 'self';" in text and "object-src 'none'" in text
    assert "https:" not in text and "*" not in text


def test_meta_tag_goes_right_after_the_charset():
    out = add_policy(PAGE)
    head = '<!doctype html><html><head><meta charset="utf-8">'
    assert out.startswith(head + '<meta http-equiv="Content-Security-Policy"')
    assert add_policy("no head here") == "no head here"
