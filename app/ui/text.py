"""Putting user text (names, titles, messages that quote input) into Streamlit elements that render
Markdown (captions, alerts, headers...) as literal text: no links, images, colour directives, icons
or LaTeX can be smuggled in through a brand name or a post title. Tables and st.text need nothing."""

from __future__ import annotations

import re

# Everything Markdown, Streamlit's :directives[...] / :material/icons: and $LaTeX$ give meaning to.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>:~$=^&])")


def plain(text: object) -> str:
    """`text` escaped so that Markdown shows it exactly as typed."""
    return _SPECIAL.sub(r"\\\1", str(text)).replace("\n", "  \n")
