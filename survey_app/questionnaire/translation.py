"""Questionnaire content in other languages, translated as data.

A definition's wording (titles, labels, hints, options' labels, its own error messages) is a
catalogue: each message's context is where it is in the definition, by ids ("pages/age/questions/
age/label"), and its id is the English. A translation is that catalogue with the other
language filled in (`<definition>.<code>.po` beside the definition file). Applying it to the
English definition gives the translated definition, which must have the same structure (pages,
questions, option values, routing, derived rules) as the English one; only wording may differ.

A translation is checked when it is loaded: a message whose place is not in the definition, a
message translated from English the definition no longer has, or a message that drops or adds
a `{placeholder}` is refused or counted as missing, with a message that says which and where.
"""

from __future__ import annotations

import copy
import re
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog

from .definition import DefinitionError, Questionnaire

# What a resident reads, as opposed to what answers mean. The wording of a loaded version may be
# corrected in place and translated; a change to anything else is a new version.
WORDING_KEYS = frozenset(
    {
        "title",
        "short_title",
        "label",
        "hint",
        "section",
        "intro",
        "messages",
        "suffix",
        "decline_option",
        "minutes_to_complete",
    }
)
PLACEHOLDER = re.compile(r"\{[a-z_]+(?::[^}]*)?\}")
# A placeholder's format spec ("{max_length:,}"), which messages.message() takes off.
FORMAT_SPEC = re.compile(r"\{(\w+):[^}]*\}")
PERCENT_FIELD = re.compile(r"%\((\w+)\)")


def _brace_fields(text: str) -> set[str]:
    """The {fields} str.format would fill in (ValueError for a lone brace)."""
    plain = FORMAT_SPEC.sub(r"{\1}", text)
    return {name for _, name, _, _ in string.Formatter().parse(plain) if name is not None}


def format_problem(english: str, translated: str, *, braces: bool, percent: bool) -> str | None:
    """Why a translation would fail, or show wrongly, where the service fills it in; None if
    it is fine. `braces`: filled in with str.format, as error messages are; `percent`: with %,
    as every template text is (so a percent sign is written %%)."""
    if ("<" in translated or ">" in translated) and not ("<" in english or ">" in english):
        return "has < or > where the English has none (markup is not allowed)"
    if braces:
        try:
            fields = _brace_fields(translated)
        except ValueError:
            return "has a { or } that is not part of a {placeholder}"
        wanted = _brace_fields(english)
        if fields != wanted:
            shown = " ".join(f"{{{name}}}" for name in sorted(wanted)) or "none"
            return f"must keep the same {{placeholders}} as the English ({shown})"
        try:
            FORMAT_SPEC.sub(r"{\1}", translated).format(**{name: 1 for name in fields})
        except (ValueError, KeyError, IndexError):
            return "cannot be filled in: check its {placeholders}"
    if percent:
        wanted_names = set(PERCENT_FIELD.findall(english))
        if set(PERCENT_FIELD.findall(translated)) != wanted_names:
            shown = " ".join(f"%({name})s" for name in sorted(wanted_names)) or "none"
            return f"must keep the same placeholders as the English ({shown})"
        try:
            translated % {name: 1 for name in wanted_names}
        except (ValueError, KeyError, TypeError):
            return "cannot be filled in: write a percent sign as %% and keep %(name)s as it is"
    return None


def structure(definition: object) -> object:
    """The definition without its wording: what two versions or languages must share."""
    if isinstance(definition, dict):
        return {
            key: structure(value) for key, value in definition.items() if key not in WORDING_KEYS
        }
    if isinstance(definition, list):
        return [structure(item) for item in definition]
    return definition


def only_wording_differs(one: object, other: object) -> bool:
    return structure(one) == structure(other)


@dataclass(frozen=True)
class Wording:
    """One piece of text a resident reads: where it is, and what it says in English."""

    place: str
    text: str


def _name(item: object, index: int) -> str:
    if isinstance(item, dict):
        for key in ("id", "value"):
            if isinstance(item.get(key), str):
                return item[key]
    return str(index)


def _walk(node: object, place: str) -> Iterator[tuple[str, Any, str | int]]:
    """(place, container, key) for every piece of wording under `node`."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{place}/{key}" if place else key
            if key in WORDING_KEYS:
                if isinstance(value, str):
                    yield here, node, key
                elif isinstance(value, dict):
                    for name, text in value.items():
                        if isinstance(text, str):
                            yield f"{here}/{name}", value, name
            else:
                yield from _walk(value, here)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _walk(item, f"{place}/{_name(item, index)}")


def wording(definition: Mapping[str, Any]) -> list[Wording]:
    """Every piece of the definition's wording, in the order a resident meets it."""
    return [Wording(place, container[key]) for place, container, key in _walk(definition, "")]


def template_catalog(definition: Mapping[str, Any]) -> Catalog:
    """The catalogue a translator fills in: every piece of wording, none translated."""
    catalog = Catalog(project=f"{definition['slug']} version {definition['version']}", fuzzy=False)
    for item in wording(definition):
        catalog.add(item.text, string="", context=item.place)
    return catalog


@dataclass(frozen=True)
class Translation:
    """A translated definition, and what its catalogue still lacks."""

    language: str
    definition: dict[str, Any]
    missing: tuple[str, ...]
    review_status: str

    @property
    def complete(self) -> bool:
        return not self.missing


class TranslationError(DefinitionError):
    """A translation that cannot be used as it is; the message says which entry and why."""


def _placeholders(text: str) -> set[str]:
    return {match.split(":")[0].strip("{}") for match in PLACEHOLDER.findall(text)}


def apply(
    definition: Mapping[str, Any], catalog: Catalog, *, language: str, review_status: str
) -> Translation:
    """The definition in the catalogue's language: English where a message is missing (which
    is then listed, and the language not offered), refused where an entry cannot be right."""
    translated = copy.deepcopy(dict(definition))
    places = {place: (container, key) for place, container, key in _walk(translated, "")}
    entries: dict[str, tuple[str, str]] = {}
    for message in catalog:
        if not message.id:
            continue
        place = message.context or ""
        if place not in places:
            raise TranslationError(
                f"The {language} translation has an entry for {place or 'no place'!r}, "
                f"which is not in {definition['slug']} version {definition['version']}"
            )
        text = message.string if isinstance(message.string, str) else ""
        entries[place] = (str(message.id), "" if message.fuzzy else text)
    missing = []
    for place, (container, key) in places.items():
        english = container[key]
        source, text = entries.get(place, ("", ""))
        if source != english or not text.strip():
            # Not translated, or translated from English that has since changed.
            missing.append(place)
            continue
        # A question's own error messages are filled in with str.format (messages.message()).
        problem = format_problem(english, text, braces="/messages/" in place, percent=False)
        if problem is None and _placeholders(text) != _placeholders(english):
            problem = "must keep the same {placeholders} as the English"
        if problem:
            raise TranslationError(f"The {language} translation of {place!r} {problem}")
        container[key] = text
    if not only_wording_differs(definition, translated):
        raise TranslationError(f"The {language} translation changes the questionnaire's structure")
    translated["language"] = language
    try:
        parsed = Questionnaire(translated)  # as valid as the English: schema, references
    except DefinitionError as error:
        raise TranslationError(f"The {language} translation is not usable: {error}") from None
    _check_parts(Questionnaire(dict(definition)), parsed, language)
    return Translation(language, translated, tuple(missing), review_status)


def _check_parts(english: Questionnaire, translated: Questionnaire, language: str) -> None:
    """Each English section has one translation, and no two share one: otherwise "Part 3 of 6"
    would count differently in the language."""
    names: dict[str, str] = {}
    for one, other in zip(english.pages, translated.pages, strict=True):
        if names.setdefault(one.section, other.section) != other.section:
            raise TranslationError(
                f"The {language} translation gives the section {one.section!r} two names "
                f"({names[one.section]!r} and {other.section!r}); give it one on every page"
            )
    if len(set(names.values())) != len(names):
        raise TranslationError(
            f"The {language} translation gives two sections the same name; each needs its own"
        )


def translation_files(definition_path: Path) -> dict[str, Path]:
    """The translations shipped beside a definition file: `<name>.<code>.po`."""
    stem = definition_path.with_suffix("").name
    found = {}
    for path in sorted(definition_path.parent.glob(f"{stem}.*.po")):
        code = path.name[len(stem) + 1 : -len(".po")]
        if re.fullmatch(r"[a-z]{2,3}", code):
            found[code] = path
    return found
