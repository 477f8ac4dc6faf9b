"""Synthetic responses for demonstrations, training and benchmarks.

The sample is deliberately uneven against the census, the way online surveys usually are: too few
16-24s, Black residents and LGB+ residents, too many 55-74s. Partner channels tilt towards the
groups they serve, and answers differ by group, so reports have something real to find. A few
answer in Polish, Romanian or Urdu (LANGUAGE_CHANCES).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, insert, select

from reporting.indicators import ASB_STRANDS

from .extensions import db
from .models import Channel, Response, Survey
from .responses import open_survey, questionnaire_for, submitted_row

# How much safer after dark, and how much more in agreement that the police and council deal
# with what matters, each later demo wave is (in probability, before the other adjustments).
WAVE_CHANGE = 0.04
AGE_BANDS = [(16, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, 74), (75, 95)]
# Census shares are about 12, 18, 20, 18, 14, 10, 7 per cent: the demo has too few 16-24s and
# too many 55-74s, and the other bands within a tenth of their census share.
AGE_WEIGHTS = [0.05, 0.17, 0.19, 0.17, 0.20, 0.15, 0.07]
ETHNIC_GROUPS = ["white", "mixed", "asian", "black", "other", "prefer_not_to_say"]
# Census: white 75.1%, mixed 2.7%, Asian 11.6%, Black 8.7%, other 1.9%; only Black residents
# are short in the demo.
ETHNIC_WEIGHTS = [0.80, 0.027, 0.115, 0.03, 0.018, 0.015]
ORIENTATIONS = ["straight", "gay_lesbian", "bisexual", "other", "prefer_not_to_say"]
ORIENTATION_WEIGHTS = [0.905, 0.006, 0.004, 0.002, 0.083]  # census LGB+ about 3%
HOUSING = [
    "owns_outright",
    "owns_mortgage",
    "social_rented",
    "private_rented",
    "other",
    "prefer_not_to_say",
]
HOUSING_WEIGHTS = [0.23, 0.38, 0.16, 0.18, 0.02, 0.03]  # close to the census
WARDS = [
    "bletchley_east",
    "bletchley_park",
    "bletchley_west",
    "bradwell",
    "broughton",
    "campbell_park_and_old_woughton",
    "central_milton_keynes",
    "danesborough_and_walton",
    "loughton_and_shenley",
    "monkston",
    "newport_pagnell_north_and_hanslope",
    "newport_pagnell_south",
    "olney",
    "shenley_brook_end",
    "stantonbury",
    "stony_stratford",
    "tattenhoe",
    "wolverton",
    "woughton_and_fishermead",
]
# How many responses each channel brings, relative to the others; dormant ones bring none.
CHANNEL_WEIGHTS = {
    "mk-council": 18,
    "council-comms": 10,
    "safermk": 6,
    "community-action-mk": 4,
    "thames-valley-police": 14,
    "onemk-citizen": 8,
    "facebook": 22,
    "housing-associations": 5,
    "age-uk": 5,
    "mk-college": 2,
    "schools": 3,
    "lgbt-groups": 1,
    "parish-councils": 2,
}
SAFE_SCALE = ["very_safe", "fairly_safe", "a_bit_unsafe", "very_unsafe"]
ASB_SCALE = [
    "very_big_problem",
    "fairly_big_problem",
    "not_a_very_big_problem",
    "not_a_problem_at_all",
]
PRIORITIES = [
    "reducing_violence",
    "tackling_drugs_and_substance_misuse",
    "anti_social_behaviour",
    "reducing_fear_of_crime_and_building_community_confidence",
    "domestic_and_sexual_abuse",
    "gangs_and_organised_crime",
    "road_safety",
    "online_crime_and_scams",
    "reducing_reoffending",
]
# What residents say when asked how they heard: mostly the route their link recorded.
HOW_HEARD = {
    "mk-council": "council_website",
    "council-comms": "council_email",
    "safermk": "safermk_website",
    "community-action-mk": "community_action_mk",
    "thames-valley-police": "police",
    "onemk-citizen": "mk_citizen_onemk",
    "facebook": "social_media",
    "housing-associations": "housing_association",
    "age-uk": "age_uk",
    "mk-college": "mk_college",
    "schools": "school",
    "lgbt-groups": "lgbt_group",
    "parish-councils": "parish_council",
}
# The languages demo residents answer in besides English: about 3% Polish, 2% Romanian and 1%
# Urdu, each more likely among the residents who speak it in Milton Keynes (Polish and Romanian
# among white residents of working age, more often renting privately; Urdu among Asian
# residents), so that reports have something to find by language too.
LANGUAGE_CHANCES = {
    ("white", "working_age"): {"pl": 0.06, "ro": 0.04},
    ("white", "older"): {"pl": 0.01, "ro": 0.005},
    ("asian", "working_age"): {"ur": 0.085},
    ("asian", "older"): {"ur": 0.085},
}
OTHER_LANGUAGE_CHANCES = {"pl": 0.005, "ro": 0.005, "ur": 0.002}
PRIVATE_RENTERS_LANGUAGE_FACTOR, OTHER_TENURES_LANGUAGE_FACTOR = 2.0, 0.8
BATCH = 5_000


class DemoError(RuntimeError):
    """Demo data cannot be added; the message says why."""


def _pick(rng: random.Random, options: list[str], weights: list[float]) -> str:
    return rng.choices(options, weights)[0]


def _demographics(rng: random.Random, channel: str | None) -> dict[str, Any]:
    age_weights = list(AGE_WEIGHTS)
    ethnic_weights, orientation_weights = list(ETHNIC_WEIGHTS), list(ORIENTATION_WEIGHTS)
    housing_weights = list(HOUSING_WEIGHTS)
    if channel == "age-uk":
        age_weights = [0, 0, 0.02, 0.05, 0.18, 0.4, 0.35]
    elif channel in ("mk-college", "schools"):
        age_weights = (
            [0.55, 0.15, 0.15, 0.1, 0.05, 0, 0]
            if channel == "mk-college"
            else [0.02, 0.2, 0.45, 0.28, 0.05, 0, 0]
        )
        ethnic_weights = [0.62, 0.05, 0.14, 0.15, 0.03, 0.01]
    elif channel == "lgbt-groups":
        orientation_weights = [0.3, 0.35, 0.25, 0.08, 0.02]
        age_weights = [0.3, 0.3, 0.15, 0.1, 0.1, 0.05, 0]
    elif channel == "housing-associations":
        housing_weights = [0.03, 0.05, 0.82, 0.06, 0.02, 0.02]
        ethnic_weights = [0.66, 0.04, 0.1, 0.16, 0.03, 0.01]
    elif channel == "facebook":
        age_weights = [0.07, 0.2, 0.22, 0.18, 0.17, 0.11, 0.05]
    low, high = rng.choices(AGE_BANDS, age_weights)[0]
    age = rng.randint(low, high)
    answers: dict[str, Any] = {
        "age": age,
        "sex": _pick(rng, ["female", "male", "prefer_not_to_say"], [0.56, 0.42, 0.02]),
        "ethnic_group": _pick(rng, ETHNIC_GROUPS, ethnic_weights),
        "sexual_orientation": _pick(rng, ORIENTATIONS, orientation_weights),
        "long_term_condition": _pick(
            rng, ["yes", "no", "prefer_not_to_say"], [0.12 + age / 400, 0.83 - age / 400, 0.05]
        ),
        "parent_carer": _pick(rng, ["yes", "no"], [0.45 if 25 <= age < 55 else 0.08, 0.55]),
        "housing": _pick(rng, HOUSING, housing_weights),
        "student": "yes" if age < 23 and rng.random() < 0.6 else "no",
        "ward": rng.choice(WARDS),
    }
    if answers["long_term_condition"] == "yes":
        answers["condition_reduces_ability"] = _pick(
            rng, ["a_lot", "a_little", "not_at_all"], [0.3, 0.45, 0.25]
        )
    return answers


def _opinions(rng: random.Random, person: dict[str, Any], wave: int = 1) -> dict[str, Any]:
    # Feeling unsafe after dark rises with age, for women, disabled people and social renters.
    # Each later wave feels a little safer and a little more confident in the police and
    # council (WAVE_CHANGE), so a comparison between seeded waves has a real change to find
    # beside answers that did not change.
    later = WAVE_CHANGE * (wave - 1)
    unsafe = 0.25 + (0.1 if person["sex"] == "female" else 0) + (person["age"] - 40) / 300 - later
    unsafe += 0.12 if person.get("condition_reduces_ability") in ("a_lot", "a_little") else 0
    unsafe += 0.1 if person["housing"] == "social_rented" else 0
    unsafe = min(max(unsafe, 0.05), 0.9)
    after_dark = _pick(
        rng, SAFE_SCALE, [(1 - unsafe) * 0.35, (1 - unsafe) * 0.65, unsafe * 0.6, unsafe * 0.4]
    )
    asb_level = 0.35 + (0.2 if person["housing"] == "social_rented" else 0)
    asb_weights = [asb_level * 0.4, asb_level * 0.6, (1 - asb_level) * 0.6, (1 - asb_level) * 0.4]
    answers: dict[str, Any] = {
        "safe_after_dark": after_dark,
        "safe_during_day": _pick(rng, SAFE_SCALE, [0.55, 0.35, 0.07, 0.03]),
        "crime_trend": _pick(
            rng,
            [
                "a_lot_more",
                "a_little_more",
                "about_the_same",
                "a_little_less",
                "a_lot_less",
                "dont_know",
            ],
            [0.2, 0.3, 0.3, 0.05, 0.02, 0.13],
        ),
        "police_council_dealing": _pick(
            rng,
            [
                "strongly_agree",
                "tend_to_agree",
                "neither_agree_nor_disagree",
                "tend_to_disagree",
                "strongly_disagree",
                "dont_know",
            ],
            [
                0.08,
                0.4 - (0.15 if person["ethnic_group"] == "black" else 0) + later,
                0.2,
                0.15,
                0.1,
                0.07,
            ],
        ),
        "victim": _pick(
            rng,
            ["yes", "no", "prefer_not_to_say"],
            [0.25 if person["age"] < 35 else 0.14, 0.8, 0.03],
        ),
        "priorities": sorted(rng.sample(PRIORITIES, rng.randint(1, 3)), key=PRIORITIES.index),
    }
    for item in (
        "worry_burglary",
        "worry_mugging",
        "worry_attack",
        "worry_car_crime",
        "worry_fraud",
    ):
        answers[item] = _pick(
            rng,
            ["very_worried", "fairly_worried", "not_very_worried", "not_at_all_worried"],
            [0.15, 0.35, 0.35, 0.15],
        )
    for item in ASB_STRANDS:
        answers[item] = _pick(rng, ASB_SCALE + ["dont_know"], [*asb_weights, 0.04])
    if answers["victim"] == "yes":
        answers["reported"] = _pick(rng, ["all", "some", "no"], [0.4, 0.25, 0.35])
        if answers["reported"] != "all":
            answers["why_not_reported"] = (
                ["too_trivial"] if rng.random() < 0.5 else ["police_could_not_do_anything"]
            )
    return answers


def _language(rng: random.Random, person: dict[str, Any]) -> str:
    """The language a demo resident answered in (LANGUAGE_CHANCES)."""
    ages = "working_age" if person["age"] < 55 else "older"
    chances = LANGUAGE_CHANCES.get((person["ethnic_group"], ages), OTHER_LANGUAGE_CHANCES)
    factor = (
        PRIVATE_RENTERS_LANGUAGE_FACTOR
        if person["housing"] == "private_rented"
        else OTHER_TENURES_LANGUAGE_FACTOR
    )
    draw = rng.random()
    for code, chance in chances.items():
        draw -= chance * factor
        if draw < 0:
            return code
    return "en"


def _seconds_taken(rng: random.Random) -> int:
    """How long a demo resident took: about seven minutes typically, a few far quicker."""
    if rng.random() < 0.004:
        return rng.randrange(12, 45)
    return max(60, int(rng.lognormvariate(6.05, 0.45)))


def _rows(
    count: int,
    seed: int,
    survey_id: int,
    channels: dict[str, int],
    start: dt.date,
    wave: int = 1,
) -> Iterator[dict[str, Any]]:
    # The standard library's generator: far cheaper per draw than numpy's for one value at a time.
    # A later wave draws other people (from the same population).
    seed = seed if wave == 1 else seed * 1000 + wave
    rng = random.Random(seed)
    # Times taken and languages from generators of their own, so the answers stay those of
    # earlier demos.
    timer = random.Random(seed + 1)
    speaker = random.Random(seed + 2)
    questionnaire = questionnaire_for(db.session.get_one(Survey, survey_id))
    named = [s for s in CHANNEL_WEIGHTS if s in channels]
    slugs: list[str | None] = [*named, None]
    weights = [CHANNEL_WEIGHTS[s] for s in named] + [4]
    for _ in range(count):
        slug = rng.choices(slugs, weights)[0]
        person = _demographics(rng, slug)
        answers = {**_opinions(rng, person, wave), **person}
        if slug and rng.random() < 0.75:
            answers["how_heard"] = HOW_HEARD[slug]
        else:
            answers["how_heard"] = rng.choice(["friend_family", "social_media", "other"])
        answers = questionnaire.prune(answers)
        submitted = start + dt.timedelta(days=rng.randrange(42))
        yield submitted_row(
            questionnaire,
            survey_id,
            answers,
            submitted,
            source="demo",
            channel_id=channels.get(slug) if slug else None,
            language=_language(speaker, person),
            duration_seconds=_seconds_taken(timer),
        )


def seed_responses(*, count: int, seed: int = 2026, survey: Survey | None = None) -> int:
    """Add demo responses to the given wave (open or closed), by default the open survey."""
    survey = survey or open_survey()
    if survey is None:
        raise DemoError(
            "No survey is open; run `flask setup` or `flask survey open`, or name a wave "
            "with --survey SLUG:WAVE"
        )
    if survey.imported_from:
        raise DemoError(
            f"{survey.label} was imported from {survey.imported_from}; demo data would mix "
            "with its responses"
        )
    real = db.session.scalar(
        select(func.count())
        .select_from(Response)
        .where(Response.survey_id == survey.id, Response.source != "demo")
    )
    if real:
        raise DemoError(
            f"{survey.label} already has {real} real responses; demo data would mix with them. "
            "Use a separate database for demonstrations."
        )
    channels = {
        slug: channel_id
        for slug, channel_id in db.session.execute(select(Channel.slug, Channel.id))
    }
    # Six weeks of fieldwork ending today (or the day a closed wave closed), so "responses over
    # time" has a shape.
    end = survey.closed_on if survey.status == "closed" and survey.closed_on else dt.date.today()
    start = end - dt.timedelta(days=41)
    batch: list[dict[str, Any]] = []
    for row in _rows(count, seed, survey.id, channels, start, survey.wave):
        batch.append(row)
        if len(batch) == BATCH:
            db.session.execute(insert(Response), batch)
            batch = []
    if batch:
        db.session.execute(insert(Response), batch)
    # The demo's fieldwork began six weeks ago, so the survey did too: reports would otherwise
    # say it opened today, after its first responses.
    if survey.opened_on is None or survey.opened_on > start:
        survey.opened_on = start
    db.session.commit()
    return count
