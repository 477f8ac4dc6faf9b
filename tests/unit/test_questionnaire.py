"""The questionnaire engine: the definition's schema, routing and census mapping."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest

from survey_app.questionnaire import DefinitionError, Questionnaire
from survey_app.questionnaire.definition import DEFAULT_DEFINITION, SCHEMA_PATH
from survey_app.questionnaire.derive import derive_dimensions


@pytest.fixture(scope="module")
def definition() -> dict:
    return json.loads(DEFAULT_DEFINITION.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def questionnaire(definition) -> Questionnaire:
    return Questionnaire(definition)


def test_default_survey_matches_the_schema(definition):
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(definition)


def test_default_survey_asks_everything_in_the_survey_content(questionnaire):
    asked = {key for page in questionnaire.pages for key in page.answer_keys}
    expected = {
        "safe_after_dark",
        "safe_during_day",
        "crime_trend",
        "worry_burglary",
        "worry_mugging",
        "worry_attack",
        "worry_car_crime",
        "worry_fraud",
        "asb_noisy_neighbours",
        "asb_teenagers",
        "asb_litter",
        "asb_vandalism",
        "asb_drugs",
        "asb_drunk",
        "asb_abandoned_cars",
        "police_council_dealing",
        "victim",
        "reported",
        "why_not_reported",
        "priorities",
        "anything_else",
        "how_heard",
        "age",
        "sex",
        "gender_identity",
        "sexual_orientation",
        "ethnic_group",
        "long_term_condition",
        "condition_reduces_ability",
        "parent_carer",
        "housing",
        "student",
        "ward",
    }
    assert expected <= asked
    assert len(questionnaire.question("how_heard").options) == 15
    assert len(questionnaire.question("ward").options) == 21  # 19 wards, outside, prefer not
    backgrounds = [q for q in asked if q.startswith("ethnic_background_")]
    assert len(backgrounds) == 5


def test_every_demographic_question_offers_prefer_not_to_say(questionnaire):
    for question_id in (
        "sex",
        "gender_identity",
        "sexual_orientation",
        "ethnic_group",
        "long_term_condition",
        "parent_carer",
        "housing",
        "student",
        "ward",
    ):
        values = [o["value"] for o in questionnaire.question(question_id).options]
        assert "prefer_not_to_say" in values, question_id
    assert questionnaire.question("age").spec["decline_option"] == "Prefer not to say"


def test_schema_refuses_an_unknown_answer_type(definition):
    broken = copy.deepcopy(definition)
    broken["pages"][1]["questions"][0]["type"] = "slider"
    with pytest.raises(DefinitionError, match="pages/1/questions/0"):
        Questionnaire(broken)


def test_routing_may_only_depend_on_earlier_questions(definition):
    broken = copy.deepcopy(definition)
    broken["pages"][1]["show_if"] = {"question": "ward", "in": ["olney"]}
    with pytest.raises(DefinitionError, match="not asked on an earlier page"):
        Questionnaire(broken)


def test_duplicate_answer_ids_are_refused(definition):
    broken = copy.deepcopy(definition)
    broken["pages"][2]["questions"][0]["id"] = "safe_after_dark"
    with pytest.raises(DefinitionError, match="used twice"):
        Questionnaire(broken)


def test_victim_follow_ups_are_routed(questionnaire):
    def visible(answers):
        return [p.id for p in questionnaire.visible_pages(answers)]

    assert "reported" not in visible({"victim": "no"})
    assert "reported" in visible({"victim": "yes"})
    assert "why-not-reported" not in visible({"victim": "yes", "reported": "all"})
    assert "why-not-reported" in visible({"victim": "yes", "reported": "some"})
    # A stale "reported" answer does not keep its follow-up alive once "victim" changes.
    assert "why-not-reported" not in visible({"victim": "no", "reported": "no"})


def test_prune_drops_answers_on_pages_no_longer_reached(questionnaire):
    answers = {"victim": "no", "reported": "no", "why_not_reported": ["too_trivial"], "age": 30}
    assert questionnaire.prune(answers) == {"victim": "no", "age": 30}


def test_first_unanswered_follows_routing(questionnaire):
    done = [p.id for p in questionnaire.pages[:7]]  # up to and including "victim"
    assert questionnaire.first_unanswered({"victim": "yes"}, done).id == "reported"
    assert questionnaire.first_unanswered({"victim": "no"}, done).id == "priorities"


@pytest.mark.parametrize(
    ("age", "band", "group"),
    [
        (16, "16-24", "under_40"),
        (24, "16-24", "under_40"),
        (25, "25-34", "under_40"),
        (39, "35-44", "under_40"),
        (40, "35-44", "40_and_over"),
        (64, "55-64", "40_and_over"),
        (74, "65-74", "40_and_over"),
        (75, "75+", "40_and_over"),
        (120, "75+", "40_and_over"),
    ],
)
def test_age_maps_to_census_bands(questionnaire, age, band, group):
    derived = derive_dimensions(questionnaire, {"age": age})
    assert (derived["age_band"], derived["age_group"]) == (band, group)


@pytest.mark.parametrize(
    ("answers", "disability"),
    [
        ({"long_term_condition": "yes", "condition_reduces_ability": "a_lot"}, "disabled"),
        ({"long_term_condition": "yes", "condition_reduces_ability": "a_little"}, "disabled"),
        ({"long_term_condition": "yes", "condition_reduces_ability": "not_at_all"}, "not_disabled"),
        ({"long_term_condition": "no"}, "not_disabled"),
        ({"long_term_condition": "prefer_not_to_say"}, "prefer_not_to_say"),
        ({"long_term_condition": "yes"}, None),
        ({}, None),
    ],
)
def test_disability_follows_the_equality_act_definition(questionnaire, answers, disability):
    assert derive_dimensions(questionnaire, answers)["disability"] == disability


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"parent_carer": "yes", "age": 39}, "yes"),
        ({"parent_carer": "yes", "age": 40}, "no"),
        ({"parent_carer": "no", "age": 25}, "no"),
        ({"parent_carer": "yes", "age": "prefer_not_to_say"}, "prefer_not_to_say"),
        ({"parent_carer": "yes"}, None),
    ],
)
def test_parents_under_40(questionnaire, answers, expected):
    assert derive_dimensions(questionnaire, answers)["parent_under_40"] == expected


@pytest.mark.parametrize(
    ("orientation", "category", "lgb_plus"),
    [
        ("straight", "straight", "no"),
        ("gay_lesbian", "gay_lesbian", "yes"),
        ("bisexual", "bisexual", "yes"),
        ("other", "other", "yes"),
        ("prefer_not_to_say", "prefer_not_to_say", "prefer_not_to_say"),
    ],
)
def test_sexual_orientation_and_lgb_plus(questionnaire, orientation, category, lgb_plus):
    derived = derive_dimensions(questionnaire, {"sexual_orientation": orientation})
    assert (derived["sexual_orientation"], derived["lgb_plus"]) == (category, lgb_plus)


def test_housing_maps_to_census_tenure_and_other_is_left_out(questionnaire):
    def tenure(housing):
        return derive_dimensions(questionnaire, {"housing": housing})["tenure"]

    assert tenure("social_rented") == "social_rented"
    assert tenure("owns_mortgage") == "owns_mortgage"
    assert tenure("other") is None


def test_derived_categories_are_the_census_benchmark_categories(questionnaire):
    import csv

    from survey_app.setup_data import DEFAULT_BENCHMARKS

    with DEFAULT_BENCHMARKS.open() as handle:
        census: dict[str, set[str]] = {}
        for row in csv.DictReader(handle):
            census.setdefault(row["dimension"], set()).add(row["category"])
    derived = questionnaire.definition["derived"]
    for dimension, categories in census.items():
        if dimension == "disability":
            assert categories == {"disabled", "not_disabled"}
            continue
        if "bands" in derived[dimension]:
            produced = {band for _, _, band in derived[dimension]["bands"]}
        else:
            produced = set(derived[dimension]["map"].values())
        assert produced == categories, dimension
