"""User text shown through Markdown-rendering elements stays literal."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.ui.widgets.text import WORD_JOINER, plain


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
    assert out.replace("\\", "").replace(WORD_JOINER, "") == text.replace("\\", "")  # no joiner typed here


def test_plain_text_is_unchanged_but_for_escapes() -> None:
    assert plain("Kopi Senja") == "Kopi Senja"
    assert plain("Lumi Skin Lab (SG)") == "Lumi Skin Lab \\(SG\\)"


@pytest.mark.parametrize(
    ("text", "defused"),
    [
        ("see http://evil.example now", "http\\:\u2060//evil"),
        ("HTTPS://EVIL.EXAMPLE", "HTTPS\\:\u2060//"),
        ("www.evil.example", "www\u2060\\.evil"),
        ("(www.evil.example)", "\\(www\u2060\\.evil"),
    ],
)
def test_bare_addresses_cannot_become_links(text: str, defused: str) -> None:
    # GFM links "http://…" and "www.…" after escapes are resolved; a word joiner keeps them text.
    assert defused in plain(text)


def test_text_that_only_looks_like_an_address_is_left_alone() -> None:
    assert WORD_JOINER not in plain("awww.example, a: b, Kopi (SG), 10:30")


_addresses = st.sampled_from(
    ["http://evil.example", "https://x.y/z?a=1", "www.evil.example", "WWW.X.Y", "a@b.co"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=40) | _addresses, max_size=8))
def test_any_text_round_trips_and_never_carries_a_live_address(parts: list[str]) -> None:
    text = " ".join(parts)
    out = plain(text)
    # Nothing is lost: without the escapes and the joiners it is the text as typed (line breaks aside).
    assert out.replace("  \n", "\n").replace(WORD_JOINER, "").replace("\\", "") == text.replace(
        "\\", ""
    ).replace(WORD_JOINER, "")
    # No scheme or www. address reaches Markdown whole (GFM would make it a link).
    assert not re.search(r"(?i)\\://|(?<![\w.\u2060])www\\\.", out)
