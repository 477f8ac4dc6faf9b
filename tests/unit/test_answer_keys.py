"""Which answers are a resident's own words: the questionnaire, the purge and the exports agree."""

from __future__ import annotations

import copy
import json

from reporting.answer_keys import free_text_keys
from reporting.exports import questionnaire_variables
from survey_app.questionnaire import Questionnaire
from survey_app.questionnaire.definition import DEFAULT_DEFINITION

DEFINITION = json.loads(DEFAULT_DEFINITION.read_text(encoding="utf-8"))
# Read off the questionnaire (SURVEY_CONTENT.md): the comment box and the two "describe it" boxes.
OWN_WORDS = {"anything_else", "gender_identity_other", "sexual_orientation_other"}


def _names(definition: dict, *, free_text: bool) -> set[str]:
    return {v.name for v in questionnaire_variables(definition, free_text=free_text)}


def test_the_default_questionnaires_free_text_is_the_comment_box_and_the_write_ins() -> None:
    assert free_text_keys(DEFINITION) == OWN_WORDS
    assert Questionnaire(DEFINITION).free_text_keys == OWN_WORDS


def test_an_export_without_free_text_has_none_and_one_with_it_has_all() -> None:
    without, with_text = _names(DEFINITION, free_text=False), _names(DEFINITION, free_text=True)
    assert not without & OWN_WORDS
    assert with_text - without == OWN_WORDS


def test_a_write_in_on_a_multiple_choice_question_is_free_text_everywhere() -> None:
    definition = copy.deepcopy(DEFINITION)
    priorities = next(
        q for page in definition["pages"] for q in page["questions"] if q["id"] == "priorities"
    )
    priorities["options"].append(
        {
            "value": "something_else",
            "label": "Something else",
            "write_in": {"id": "priorities_other", "label": "Describe it", "max_length": 200},
        }
    )
    questionnaire = Questionnaire(definition)
    assert "priorities_other" in questionnaire.free_text_keys
    page = questionnaire.page("priorities")
    assert page is not None and "priorities_other" in page.answer_keys
    assert "priorities_other" in _names(definition, free_text=True)
    assert "priorities_other" not in _names(definition, free_text=False)
