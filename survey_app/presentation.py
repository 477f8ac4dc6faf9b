"""How numbers, dates and multi-line answers are written for people, on every page.

GOV.UK style: thousands separated by commas ("15,648"), dates as "20 October 2026", and a line
break shown as a line break, never as the characters of a tag.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Flask
from markupsafe import Markup, escape


def number(value: int | float | None) -> str:
    """A whole number with thousands separators; a non-number is shown as it is."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{value:,.0f}"


def long_date(value: dt.date | dt.datetime | None, weekday: bool = False) -> str:
    """A date as GOV.UK writes it: "20 October 2026" (or "Tuesday 20 October 2026")."""
    if value is None:
        return ""
    text = f"{value.day} {value:%B %Y}"
    return f"{value:%A} {text}" if weekday else text


def date_time(value: dt.datetime | None) -> str:
    """A moment as GOV.UK writes it: "20 October 2026 at 3:15pm"."""
    if value is None:
        return ""
    hour = value.hour % 12 or 12
    return f"{long_date(value)} at {hour}:{value:%M}{'am' if value.hour < 12 else 'pm'}"


UK_TIME = ZoneInfo("Europe/London")


def uk_time(value: dt.datetime | None) -> dt.datetime | None:
    """A moment stored in UTC (without a zone), as a clock in the UK shows it."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC).astimezone(UK_TIME)


def lines(value: str | None) -> Markup:
    """Text shown with its line breaks: each line escaped, joined by <br>."""
    return Markup("<br>").join(escape(line) for line in (value or "").split("\n"))


def register_filters(app: Flask) -> None:
    app.add_template_filter(number, "number")
    app.add_template_filter(long_date, "long_date")
    app.add_template_filter(date_time, "date_time")
    app.add_template_filter(lines, "lines")
    app.add_template_filter(uk_time, "uk_time")
