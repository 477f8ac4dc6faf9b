"""How the results page writes numbers, dates and lists for residents."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from ..presentation import long_date, number

NOT_SHOWN = "not shown"


def whole_percent(share: float) -> int:
    """A share as a whole percentage, halves rounded up (62.5% is 63%)."""
    return math.floor(share * 100 + 0.5)


def percent(share: float | None) -> str:
    return NOT_SHOWN if share is None else f"{whole_percent(share)}%"


def signed_points(points: int) -> str:
    """+4, −3 or 0: a change in percentage points, with a true minus sign."""
    if points > 0:
        return f"+{points}"
    return f"\u2212{-points}" if points < 0 else "0"


def count(value: int | str) -> str:
    """A count as published: "1,234", or the words that stand for a suppressed one."""
    return number(value) if isinstance(value, int) else str(value)


def iso_date(iso: str | None) -> dt.date | None:
    return dt.date.fromisoformat(iso) if iso else None


def date_range(first: dt.date | None, last: dt.date | None, joiner: str = "to") -> str:
    """ "20 October to 30 November 2026" (or "... and ..."), both years when they differ."""
    if first is None or last is None:
        return long_date(first or last)
    if first == last:
        return long_date(first)
    start = f"{first.day} {first:%B}" if first.year == last.year else long_date(first)
    return f"{start} {joiner} {long_date(last)}"


def and_list(words: Sequence[str]) -> str:
    """A list in a sentence; parted by semicolons when a name has a comma of its own."""
    if len(words) < 2:
        return "".join(words)
    if any("," in word for word in words):
        return f"{'; '.join(words[:-1])}; and {words[-1]}"
    return f"{', '.join(words[:-1])} and {words[-1]}"


def lower_first(text: str) -> str:
    """ "Reducing violence" within a sentence; "LGBT+ hate crime" stays as it is."""
    if len(text) > 1 and text[1].islower():
        return text[0].lower() + text[1:]
    return text
