"""User text shown through Markdown-rendering elements stays literal."""

from __future__ import annotations

import pytest

from app.ui.text import plain


@pytest.mark.parametrize(
    "text",
    [
        "![pixel](http://127.0.0.1:9/p.png)",
        "[click me](javascript:alert(1))",
        ":red[loud] :material/warning:",
        "**bold** _it_ `code` ~~gone~~",
        "$x^2$ and # heading",
        "<script>alert(1)</script>",
        '=HYPERLINK("http://x")',
    ],
)
def test_markdown_and_directives_are_escaped(text: str) -> None:
    out = plain(text)
    special = set("\\`*_{}[]()#+-.!|<>:~$=^&")
    for i, ch in enumerate(out):
        if ch in special and ch != "\\":
            assert out[i - 1] == "\\", f"{ch!r} at {i} unescaped in {out!r}"
    assert out.replace("\\", "") == text.replace("\\", "")


def test_plain_text_is_unchanged_but_for_escapes() -> None:
    assert plain("Kopi Senja") == "Kopi Senja"
    assert plain("Lumi Skin Lab (SG)") == "Lumi Skin Lab \\(SG\\)"
