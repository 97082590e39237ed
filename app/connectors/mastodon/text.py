"""Mastodon's rendered post HTML as the plain text a person typed: what the connector matches a retried
post on and what the inbox shows."""

from __future__ import annotations

import html
from html.parser import HTMLParser
from typing import Any


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag == "p" and self.parts:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(content: str) -> str:
    """Mastodon's rendered HTML as the plain text a person typed (paragraphs and line breaks kept)."""
    parser = _Text()
    parser.feed(content or "")
    parser.close()
    return html.unescape("".join(parser.parts)).strip()
