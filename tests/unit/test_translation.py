"""Questionnaire translations as data: checked against the English definition, and the shipped
languages complete, with the same structure as the English and every placeholder kept."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from survey_app.languages import (
    INTERFACE_TEMPLATE,
    TRANSLATIONS_DIR,
    Language,
    catalogue_missing,
    read_catalog,
    review_status,
)
from survey_app.questionnaire import Questionnaire
from survey_app.questionnaire.definition import DEFAULT_DEFINITION
from survey_app.questionnaire.translation import (
    TranslationError,
    apply,
    structure,
    template_catalog,
    translation_files,
    wording,
)

PROJECT = Path(__file__).resolve().parents[2]
SHIPPED = ("pl", "ro", "ur")
ENGLISH = json.loads(DEFAULT_DEFINITION.read_text(encoding="utf-8"))


def _placeholder_safe_upper(catalog: Catalog) -> Catalog:
    for message in catalog:
        if message.id:
            english = str(message.id)
            message.string = "".join(
                part if part.startswith("{") else part.upper()
                for part in _split_placeholders(english)
            )
    return catalog


def _split_placeholders(text: str) -> list[str]:
    import re

    return re.split(r"(\{[a-z_]+(?::[^}]*)?\})", text)


def test_every_text_a_resident_reads_is_in_the_catalogue_by_where_it_is() -> None:
    places = {item.place: item.text for item in wording(ENGLISH)}

    assert places["title"] == ENGLISH["title"]
    age = next(page for page in ENGLISH["pages"] if page["id"] == "age")
    assert places["pages/age/questions/age/label"] == age["questions"][0]["label"]
    trend = next(page for page in ENGLISH["pages"] if page["id"] == "crime-trend")
    first_option = trend["questions"][0]["options"][0]
    assert (
        places[f"pages/crime-trend/questions/crime_trend/options/{first_option['value']}/label"]
        == (first_option["label"])
    )
    # Option values, ids and routing are not wording.
    assert all(text != first_option["value"] for text in places.values())


def test_a_complete_translation_changes_the_wording_and_nothing_else() -> None:
    translation = apply(
        ENGLISH,
        _placeholder_safe_upper(template_catalog(ENGLISH)),
        language="xx",
        review_status="awaiting review",
    )

    assert translation.complete
    assert translation.definition["title"] == ENGLISH["title"].upper()
    assert structure(translation.definition) == {**structure(ENGLISH), "language": "xx"}
    assert Questionnaire(translation.definition).key == (ENGLISH["slug"], ENGLISH["version"], "xx")


def test_an_untranslated_or_out_of_date_text_is_listed_as_missing_and_stays_english() -> None:
    catalog = _placeholder_safe_upper(template_catalog(ENGLISH))
    catalog.get(ENGLISH["title"], context="title").string = ""
    # Translated from English the definition no longer has.
    stale = catalog.get(ENGLISH["short_title"], context="short_title")
    catalog.delete(stale.id, context="short_title")
    catalog.add("An older short title", string="STARY TYTUŁ", context="short_title")

    translation = apply(ENGLISH, catalog, language="xx", review_status="awaiting review")

    assert set(translation.missing) == {"title", "short_title"}
    assert translation.definition["title"] == ENGLISH["title"]
    assert translation.definition["short_title"] == ENGLISH["short_title"]


def test_an_entry_for_a_place_the_questionnaire_does_not_have_is_refused() -> None:
    catalog = template_catalog(ENGLISH)
    catalog.add("What is your favourite colour?", string="?", context="pages/colour/title")

    with pytest.raises(TranslationError, match="pages/colour/title"):
        apply(ENGLISH, catalog, language="xx", review_status="awaiting review")


AGE_MESSAGE = "Enter an age of {max} or less"


def _with_age_message(translation: str) -> tuple[dict, Catalog]:
    """The definition with an age message that has a {placeholder}, and a complete catalogue
    whose translation of it is `translation`."""
    definition = copy.deepcopy(ENGLISH)
    age = next(page for page in definition["pages"] if page["id"] == "age")["questions"][0]
    age["messages"]["number_too_large"] = AGE_MESSAGE
    catalog = _placeholder_safe_upper(template_catalog(definition))
    assert apply(definition, catalog, language="xx", review_status="x").complete
    catalog.get(
        AGE_MESSAGE, context="pages/age/questions/age/messages/number_too_large"
    ).string = translation
    return definition, catalog


def test_a_translation_that_drops_a_placeholder_is_refused() -> None:
    definition, catalog = _with_age_message("PODAJ WIEK")

    with pytest.raises(TranslationError, match="number_too_large.*placeholders"):
        apply(definition, catalog, language="xx", review_status="awaiting review")


def test_translations_are_found_beside_their_definition() -> None:
    assert set(translation_files(DEFAULT_DEFINITION)) >= set(SHIPPED)


@pytest.mark.parametrize("code", SHIPPED)
def test_each_shipped_questionnaire_translation_is_complete_with_the_english_structure(
    code: str,
) -> None:
    path = translation_files(DEFAULT_DEFINITION)[code]
    catalog = read_catalog(path)

    translation = apply(ENGLISH, catalog, language=code, review_status=review_status(catalog))

    assert translation.missing == ()
    translated = translation.definition
    assert structure({**translated, "language": None}) == structure({**ENGLISH, "language": None})
    # Every text a resident reads is in the language (proper names aside, some are the same).
    same = [
        item.place
        for item, english in zip(wording(translated), wording(ENGLISH), strict=True)
        if item.text == english.text and "/ward/options/" not in item.place
    ]
    assert len(same) <= 12, f"{code}: left in English: {same}"
    assert review_status(catalog) == "awaiting review by a qualified translator"


@pytest.mark.parametrize("code", SHIPPED)
def test_each_shipped_interface_catalogue_is_complete(code: str) -> None:
    catalog = read_catalog(TRANSLATIONS_DIR / code / "LC_MESSAGES" / "messages.po")

    assert catalogue_missing(catalog, read_catalog(INTERFACE_TEMPLATE)) == ()
    problems = [(message.id, errors) for message, errors in catalog.check() if errors]
    assert problems == []
    assert review_status(catalog) == "awaiting review by a qualified translator"


def test_the_interface_template_has_every_text_the_code_and_templates_mark() -> None:
    """`make messages` was run after the last change of interface text: otherwise a new text
    would reach no catalogue, and show in English on every translated page."""
    with (PROJECT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "counted": (1, 2)}
    found = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(PROJECT / "survey_app"), method_map, options_map, keywords=keywords
        )
    }
    found_ids = {m[0] if isinstance(m, tuple) else m for m in found}
    template_ids = {
        m.id[0] if isinstance(m.id, tuple) else m.id
        for m in read_catalog(INTERFACE_TEMPLATE)
        if m.id
    }

    assert found_ids - template_ids == set(), "run `make messages`"
    assert template_ids - found_ids == set(), "run `make messages`"


def test_languages_are_named_in_themselves_with_their_direction() -> None:
    assert Language.from_code("pl").name == "Polski"
    assert Language.from_code("ro").name == "Română"
    urdu = Language.from_code("ur")
    assert (urdu.name, urdu.direction, urdu.english_name) == ("اردو", "rtl", "Urdu")


def test_the_english_definition_is_not_changed_by_applying_a_translation() -> None:
    before = copy.deepcopy(ENGLISH)
    apply(
        ENGLISH,
        _placeholder_safe_upper(template_catalog(ENGLISH)),
        language="xx",
        review_status="x",
    )
    assert before == ENGLISH


def test_a_section_translated_two_ways_is_refused() -> None:
    """Part numbers count sections: one English section must have one name in the language."""
    catalog = _placeholder_safe_upper(template_catalog(ENGLISH))
    sections = [m for m in catalog if m.context and m.context.endswith("/section")]
    shared = next(m.id for m in sections if sum(1 for n in sections if n.id == m.id) > 1)
    same = [m for m in sections if m.id == shared]
    assert len(same) > 1
    same[-1].string = "ANOTHER NAME"

    with pytest.raises(TranslationError, match="two names"):
        apply(ENGLISH, catalog, language="xx", review_status="x")


def test_a_question_message_with_a_lone_brace_is_refused() -> None:
    definition, catalog = _with_age_message("PODAJ WIEK {max} LUB MNIEJ {")

    with pytest.raises(TranslationError, match="not part of a"):
        apply(definition, catalog, language="xx", review_status="x")
