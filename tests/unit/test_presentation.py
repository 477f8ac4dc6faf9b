"""Numbers and dates are written the GOV.UK way on every page."""

from __future__ import annotations

import datetime as dt

from markupsafe import Markup

from survey_app.presentation import date_time, lines, long_date, number


def test_numbers_have_thousands_separators():
    assert number(15648) == "15,648"
    assert number(17262.4) == "17,262"
    assert number(999) == "999"
    assert number(0) == "0"


def test_a_withheld_count_is_shown_as_its_words():
    assert number("fewer than 10") == "fewer than 10"


def test_dates_read_as_people_write_them():
    assert long_date(dt.date(2026, 10, 20)) == "20 October 2026"
    assert long_date(dt.date(2026, 10, 5), weekday=True) == "Monday 5 October 2026"
    assert date_time(dt.datetime(2026, 10, 20, 15, 5)) == "20 October 2026 at 3:05pm"
    assert date_time(dt.datetime(2026, 10, 20, 0, 30)) == "20 October 2026 at 12:30am"


def test_lines_are_escaped_once_and_broken_with_real_line_breaks():
    shown = lines("Fish & chips\n<b>late</b>")
    assert isinstance(shown, Markup)
    assert shown == "Fish &amp; chips<br>&lt;b&gt;late&lt;/b&gt;"
