"""A picklable `format_func` for select widgets: with `enforceSerializableSessionState` on, a lambda or
local function as format_func cannot be pickled (AppTest keeps widget metadata in session state)."""

from __future__ import annotations

from typing import Any


class Labels(dict[Any, str]):
    """Maps option values to the text shown; unknown values show as themselves."""

    def __call__(self, value: Any) -> str:
        return self.get(value, str(value))
