"""Putting user text (names, titles, messages that quote input) into Streamlit elements that render
Markdown (captions, alerts, headers...) as literal text: no links, images, colour directives, icons
or LaTeX can be smuggled in through a brand name or a post title. Tables and st.text need nothing.

Escaping alone does not stop one thing: GitHub-flavoured Markdown turns a bare address
("http://…", "www.…") into a link after escapes are resolved (found by the inbox's browser journey).
A word joiner (U+2060, invisible, no width) inside "://" and after "www" keeps such text a text."""

from __future__ import annotations

import re

# Everything Markdown, Streamlit's :directives[...] / :material/icons: and $LaTeX$ give meaning to.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>:~$=^&])")
WORD_JOINER = "\u2060"
# After escaping, a scheme reads "http\://" and a bare domain "www\."
_AUTOLINK = re.compile(r"(\\:)(//)|(?<![\w.])(www)(\\\.)", re.IGNORECASE)


def plain(text: object) -> str:
    """`text` escaped so that Markdown shows it exactly as typed."""
    escaped = _SPECIAL.sub(r"\\\1", str(text))
    escaped = _AUTOLINK.sub(lambda m: WORD_JOINER.join(g for g in m.groups() if g), escaped)
    return escaped.replace("\n", "  \n")
