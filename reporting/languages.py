"""Responses by the language they were given in, read apart the way channels are.

Answers are stored as option values whatever the language, so every other figure counts the
responses of every language together; these tables say how many came in each language and
which languages reach a group the survey is missing. Languages are named in English ("Polish"),
since the reports are in English.
"""

from __future__ import annotations

from collections.abc import Mapping

from babel import Locale, UnknownLocaleError

from reporting.disclosure import WITHHELD, is_suppressed, linked_suppressions, suppress
from reporting.model import LanguageReach, LanguageRow, LanguageTable
from reporting.reach import reach

SOURCE_LANGUAGE = "en"


def language_name(code: str) -> str:
    """The language in English ("pl": "Polish"), or the code itself if babel does not know it."""
    try:
        locale = Locale.parse(code.replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return code
    return locale.english_name or code


def language_table(counts: Mapping[str, int]) -> LanguageTable:
    """The published table of counted responses by language.

    The rows add up to the responses submitted, which the report publishes, so one count under
    10 would be given back by subtraction: another row is withheld with it. Rows whose count
    is published come first, most first; the others follow in name order, so their place
    says nothing of their size.
    """
    cells = {code: count for code, count in counts.items() if count > 0}
    small = {code for code, count in cells.items() if is_suppressed(count)}
    hidden = linked_suppressions(cells, small, [(frozenset(cells), None)])
    rows: list[LanguageRow] = [
        {
            "language": code,
            "name": language_name(code),
            "count": WITHHELD if code in hidden - small else suppress(count),
        }
        for code, count in cells.items()
    ]
    shown = sorted(
        (row for row in rows if isinstance(row["count"], int)),
        key=lambda row: (-int(row["count"]), row["name"]),
    )
    withheld = sorted((row for row in rows if not isinstance(row["count"], int)), key=_name)
    return {"rows": shown + withheld, "only_english": set(cells) == {SOURCE_LANGUAGE}}


def _name(row: LanguageRow) -> str:
    return row["name"]


def language_reach(
    counts_by_language: Mapping[str, Mapping[str | None, int]], category: str
) -> list[LanguageReach]:
    """`reach` by language: the group's share of the responses given in each language."""
    names = {code: language_name(code) for code in counts_by_language}
    return [
        {"language": code, "name": names[code], **figures}
        for code, figures in reach(counts_by_language, category, names)
    ]
