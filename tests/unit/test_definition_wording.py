"""Every questionnaire definition reads well: no doubled words, a caption on every page that is
not its heading again, options that can be told apart, pages the dashboard can tell apart."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from survey_app.questionnaire import Questionnaire
from survey_app.questionnaire.definition import DEFINITIONS_DIR
from survey_app.questionnaire.forms import page_heading

DEFINITIONS = sorted(DEFINITIONS_DIR.glob("*.json"))
TEXT_KEYS = {"title", "short_title", "label", "hint", "section", "intro", "decline_option"}
# Short words that may well come twice close together ("the police and the council").
SMALL_WORDS = {
    "a",
    "an",
    "and",
    "or",
    "the",
    "of",
    "to",
    "in",
    "on",
    "at",
    "for",
    "by",
    "your",
    "you",
    "it",
    "is",
    "be",
    "not",
    "as",
    "with",
    "that",
    "this",
    "are",
    "from",
}
WORD = re.compile(r"[A-Za-z][\w'-]*")


def _texts(node: object, where: str = "") -> Iterator[tuple[str, str]]:
    """Every piece of text a resident reads, with where it is in the definition."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in TEXT_KEYS and isinstance(value, str):
                yield f"{where}/{key}", value
            elif key == "messages" and isinstance(value, dict):
                for name, message in value.items():
                    yield f"{where}/messages/{name}", message
            else:
                yield from _texts(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _texts(item, f"{where}/{index}")


def _stem(word: str) -> str:
    word = word.lower()
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def repeated_words(text: str) -> list[str]:
    """A word or run of up to three words said twice in a row, plurals included: "the the",
    "ethnic group ethnic group", "ethnic groups ethnic group"."""
    found = []
    # Punctuation between them makes a repeat deliberate: "Black, Black British".
    for clause in re.split(r"[,;:.?!()]", text):
        words = [_stem(w) for w in WORD.findall(clause)]
        for size in (1, 2, 3):
            for start in range(len(words) - 2 * size + 1):
                if words[start : start + size] == words[start + size : start + 2 * size]:
                    found.append(" ".join(words[start : start + size]))
    return found


@pytest.fixture(params=DEFINITIONS, ids=lambda path: path.name)
def definition(request: pytest.FixtureRequest) -> dict:
    return json.loads(Path(request.param).read_text(encoding="utf-8"))


def test_the_doubled_word_check_catches_the_mistakes_it_exists_for():
    assert repeated_words("your Other ethnic group ethnic group or background?")
    assert repeated_words("your Mixed or Multiple ethnic groups ethnic group or background?")
    assert repeated_words("How safe do you feel feel after dark?")
    assert not repeated_words("the police and the local council are dealing with it")
    assert not repeated_words("Does your condition reduce your day-to-day activities?")
    assert not repeated_words("Black, Black British, Caribbean or African")


def test_no_text_repeats_a_word(definition):
    doubled = {where: text for where, text in _texts(definition) if repeated_words(text)}
    assert not doubled, doubled


def test_every_page_has_a_caption_that_is_not_its_heading_again(definition):
    questionnaire = Questionnaire(definition)
    for page in questionnaire.pages:
        assert page.section.strip(), page.id
        heading, _ = page_heading(page)
        assert page.section.lower() != heading.lower(), page.id
        assert page.caption.startswith(f"Part {page.part_number} of {page.part_count}: ")


def test_option_values_and_grid_items_are_unique_within_a_question(definition):
    for page in definition["pages"]:
        for question in page["questions"]:
            for key in ("options", "items", "scale"):
                entries = question.get(key, [])
                values = [e.get("value", e.get("id")) for e in entries if isinstance(e, dict)]
                repeated = [v for v, n in Counter(values).items() if n > 1]
                assert not repeated, (page["id"], question["id"], key, repeated)
                labels = [e["label"] for e in entries if isinstance(e, dict) and "label" in e]
                assert len(set(labels)) == len(labels), (page["id"], question["id"], key)


def test_page_titles_are_unique_so_every_list_of_pages_can_be_told_apart(definition):
    titles = Counter(page["title"] for page in definition["pages"])
    assert [title for title, n in titles.items() if n > 1] == []
