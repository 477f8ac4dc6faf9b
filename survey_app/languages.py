"""The languages residents can answer in, and which one a request is in.

Interface text (templates, error and flash messages) is translated through Flask-Babel's
catalogues in survey_app/translations/<code>/LC_MESSAGES/messages.po; questionnaire content is
translated as data, a catalogue per definition (survey_app.questionnaire.translation). A
language is offered to residents only when both are complete for the open survey.

Staff pages (the analyst's, the partners') are in English: only resident pages follow the
chosen language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from flask import Flask, current_app, g, request, session, url_for
from flask_babel import get_locale

SOURCE_LANGUAGE = "en"
TRANSLATIONS_DIR = Path(__file__).with_name("translations")
INTERFACE_TEMPLATE = TRANSLATIONS_DIR / "messages.pot"
# Where a catalogue says whether a qualified translator has checked it; translators' tools keep
# a catalogue's header comment as it is.
REVIEW_LINE = re.compile(r"^#?[ \t]*Review status:[ \t]*(.+)$", re.MULTILINE)
AWAITING_REVIEW = "awaiting review by a qualified translator"
# The request endpoints whose pages residents read, in their chosen language.
RESIDENT_BLUEPRINTS = frozenset({"public"})
SESSION_KEY = "lang"
# app.extensions: the languages of the survey the app served last, for pages that do not look
# the survey up; g: the language of this request's questionnaire, once a page has settled it.
SERVED_LANGUAGES = "safermk_served_languages"
RESIDENT_LANGUAGE = "resident_language"
SURVEY_LANGUAGES = "survey_languages"


@dataclass(frozen=True)
class Language:
    code: str
    # The language's name in itself ("Polski", "اردو"), as a language link shows it.
    name: str
    english_name: str
    direction: str  # "ltr" or "rtl"

    @classmethod
    def from_code(cls, code: str) -> Language:
        locale = Locale.parse(code)
        own_name = locale.get_display_name(code) or code
        return cls(
            code=code,
            name=own_name[:1].upper() + own_name[1:],
            english_name=locale.english_name or code,
            direction=locale.text_direction,
        )


@dataclass(frozen=True)
class InterfaceCatalogue:
    """A language's catalogue of interface text: what is still missing, and its review status."""

    language: Language
    missing: tuple[str, ...] = field(default=())
    review_status: str = AWAITING_REVIEW

    @property
    def complete(self) -> bool:
        return not self.missing


def review_status(catalog: Catalog) -> str:
    found = REVIEW_LINE.search(catalog.header_comment or "")
    return found.group(1).strip() if found else AWAITING_REVIEW


def catalogue_missing(catalog: Catalog, wanted: Catalog | None = None) -> tuple[str, ...]:
    """Messages without a translation (empty, or marked fuzzy: a guess nobody has checked).

    With `wanted`, a message of the template the catalogue lacks altogether is missing too.
    """
    missing = []
    for message in catalog:
        if not message.id:
            continue
        text = message.string
        strings = text if isinstance(text, tuple | list) else (text,)
        if message.fuzzy or not all(strings):
            missing.append(message_text(message.id))
    if wanted is not None:
        for message in wanted:
            if message.id and catalog.get(message.id, context=message.context) is None:
                missing.append(message_text(message.id))
    return tuple(missing)


def message_text(message_id: object) -> str:
    """A message's English, its singular for a plural message."""
    return message_id[0] if isinstance(message_id, tuple | list) else str(message_id)


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as file:
        return read_po(file)


@cache
def interface_catalogues() -> dict[str, InterfaceCatalogue]:
    """Every translated language's interface catalogue, as shipped (read once per process)."""
    wanted = read_catalog(INTERFACE_TEMPLATE) if INTERFACE_TEMPLATE.exists() else None
    found: dict[str, InterfaceCatalogue] = {}
    for po_file in sorted(TRANSLATIONS_DIR.glob("*/LC_MESSAGES/messages.po")):
        code = po_file.parent.parent.name
        catalog = read_catalog(po_file)
        found[code] = InterfaceCatalogue(
            language=Language.from_code(code),
            missing=catalogue_missing(catalog, wanted),
            review_status=review_status(catalog),
        )
    return found


ENGLISH = Language.from_code(SOURCE_LANGUAGE)


def language(code: str) -> Language:
    if code == SOURCE_LANGUAGE:
        return ENGLISH
    catalogue = interface_catalogues().get(code)
    return catalogue.language if catalogue else Language.from_code(code)


def offered_languages(questionnaire_languages: frozenset[str] | None = None) -> list[Language]:
    """English and every language whose interface and questionnaire are both complete (the
    questionnaire's languages: by default, those of the survey served last)."""
    if questionnaire_languages is None:
        questionnaire_languages = current_app.extensions.get(SERVED_LANGUAGES, frozenset())
    offered = [ENGLISH]
    for code, catalogue in interface_catalogues().items():
        if catalogue.complete and code in questionnaire_languages:
            offered.append(catalogue.language)
    return offered


def resident_language(
    questionnaire_languages: frozenset[str], answered_in: str | None = None
) -> str:
    """The language of a resident's pages: their choice if it is offered; else the language
    they answered in before (picking up their answers); else English. Kept for the request."""
    offered = {language.code for language in offered_languages(questionnaire_languages)}
    chosen = clean_code(session.get(SESSION_KEY))
    if chosen not in offered:
        chosen = answered_in if answered_in in offered else SOURCE_LANGUAGE
        if chosen != SOURCE_LANGUAGE:
            session[SESSION_KEY] = chosen
    setattr(g, RESIDENT_LANGUAGE, chosen)
    setattr(g, SURVEY_LANGUAGES, questionnaire_languages)
    return chosen


def clean_code(value: object) -> str | None:
    """A language code as a link or a session may carry it, or None if it is not one."""
    if not isinstance(value, str):
        return None
    value = value.strip().lower().replace("_", "-")
    return value if re.fullmatch(r"[a-z]{2,3}", value) else None


def chosen_language() -> str:
    """The language of this request's page: the resident's choice on resident pages (if it is
    offered), English on staff pages."""
    if request.blueprint not in RESIDENT_BLUEPRINTS and request.endpoint is not None:
        return SOURCE_LANGUAGE
    settled = g.get(RESIDENT_LANGUAGE)
    if settled:
        return str(settled)
    code = clean_code(session.get(SESSION_KEY))
    offered = {language.code for language in offered_languages()}
    return code if code in offered else SOURCE_LANGUAGE


def choose_from_link() -> None:
    """A link's `?lang=pl` (a language link, or a channel's poster) chooses the language."""
    code = clean_code(request.args.get("lang"))
    if code:
        session[SESSION_KEY] = code


@dataclass(frozen=True)
class LanguageLink:
    language: Language
    url: str | None  # None for the page's own language


def language_links() -> list[LanguageLink]:
    """The language links of a resident page: each offered language, named in itself, linking
    to this page in it; none when English is all there is."""
    offered = offered_languages(g.get(SURVEY_LANGUAGES))
    if len(offered) < 2:
        return []
    current = str(get_locale() or SOURCE_LANGUAGE)
    # The page's own address only: nothing else from the query string is passed on, so no
    # link can be made to point elsewhere (the page with its links is kept and served to all).
    values: dict[str, Any] = dict(request.view_args or {})
    if request.args.get("change"):
        values["change"] = 1
    endpoint = request.endpoint or "public.start"
    return [
        LanguageLink(
            language,
            None if language.code == current else url_for(endpoint, **values, lang=language.code),
        )
        for language in offered
    ]


def _page_language() -> dict[str, object]:
    """What every page's template needs: its language and direction, and (on resident pages)
    the links to the other languages."""
    if not request:
        return {}
    code = str(get_locale() or SOURCE_LANGUAGE)
    page_language = language(code)
    resident_page = request.blueprint in RESIDENT_BLUEPRINTS or request.endpoint is None
    return {
        "page_language": page_language,
        "language_links": language_links if resident_page else (lambda: []),
    }


def counted(singular: str, plural: str) -> dict[str, str]:
    """A message with a count for GOV.UK Frontend's scripts ("You have %{count} characters
    remaining"): one form for each plural category of the page's language, from the catalogue's
    plural forms (Polish has four, Urdu two). `%(num)s` in the message is the count."""
    from flask_babel import get_translations

    locale = get_locale() or Locale.parse(SOURCE_LANGUAGE)
    translations = get_translations()
    forms = {}
    for category in sorted(locale.plural_form.tags | {"other"}):
        # A whole number in the category; "other" in Polish holds fractions only, and takes
        # the form of 5 (a count on a page is a whole number).
        number = next((n for n in range(200) if locale.plural_form(n) == category), 5)
        text = translations.ungettext(singular, plural, number)
        forms[category] = text.replace("%(num)s", "%{count}")
    return forms


def open_survey_languages() -> list[Language]:
    """The languages other than English that the open survey is offered in now (for staff
    pages that show links in each language)."""
    from .responses import open_survey, survey_languages

    survey = open_survey()
    if survey is None:
        return []
    return offered_languages(survey_languages(survey))[1:]


def init_app(app: Flask) -> None:
    from flask_babel import Babel

    Babel(
        app,
        locale_selector=chosen_language,
        default_translation_directories=str(TRANSLATIONS_DIR),
    )
    app.context_processor(_page_language)
    app.add_template_global(open_survey_languages)
