"""The reports as built have exactly the shape reporting.model declares: no key missing, none
extra, every value of its declared type. The type checker trusts the model; this keeps it true."""

from __future__ import annotations

import types
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints, is_typeddict

from flask import Flask
from sqlalchemy import delete

from reporting.final import build_final_report
from reporting.interim import build_interim_report
from reporting.model import FinalReport, InterimReport
from survey_app.extensions import db
from survey_app.models import PopulationBenchmark

from .demo_data import seed_demo


def shape_problems(value: Any, expected: Any, path: str = "report") -> list[str]:
    """Where `value` differs from the type `expected` (a TypedDict, list, union...)."""
    origin = get_origin(expected)
    if is_typeddict(expected):
        if not isinstance(value, dict):
            return [f"{path}: {type(value).__name__}, not a dict"]
        missing = expected.__required_keys__ - value.keys()
        extra = value.keys() - expected.__required_keys__ - expected.__optional_keys__
        found = [f"{path}: missing {sorted(missing)}"] if missing else []
        found += [f"{path}: not in the model {sorted(extra)}"] if extra else []
        hints = get_type_hints(expected)
        for key in value.keys() & hints.keys():
            found += shape_problems(value[key], hints[key], f"{path}.{key}")
        return found
    if origin in (Union, types.UnionType):
        arms = [shape_problems(value, arm, path) for arm in get_args(expected)]
        return [] if any(not found for found in arms) else min(arms, key=len)
    if origin is Literal:
        return [] if value in get_args(expected) else [f"{path}: {value!r} not one of the literals"]
    if origin in (list, tuple, dict):
        if not isinstance(value, origin):
            return [f"{path}: {type(value).__name__}, not a {origin.__name__}"]
        if origin is dict:
            _, item = get_args(expected)
            return [
                found
                for key, entry in value.items()
                for found in shape_problems(entry, item, f"{path}[{key!r}]")
            ]
        item = get_args(expected)[0]
        return [
            found
            for index, entry in enumerate(value)
            for found in shape_problems(entry, item, f"{path}[{index}]")
        ]
    if expected is type(None):
        return [] if value is None else [f"{path}: {value!r}, not None"]
    # A float may be a whole number, as the type checker allows; a bool is not a count.
    allowed = (int, float) if expected is float else expected
    if isinstance(value, allowed) and (expected is bool or not isinstance(value, bool)):
        return []
    return [f"{path}: {value!r}, not {expected.__name__}"]


def test_reports_with_no_survey_match_the_model(app: Flask) -> None:
    with app.app_context():
        interim = build_interim_report(db.engine, survey_id=404)
        final = build_final_report(db.engine, survey_id=404)

    assert interim["survey"] is None
    assert shape_problems(interim, InterimReport) == []
    assert shape_problems(final, FinalReport) == []


def test_reports_with_no_responses_yet_match_the_model(app: Flask) -> None:
    with app.app_context():
        interim = build_interim_report(db.engine)
        final = build_final_report(db.engine)

    assert shape_problems(interim, InterimReport) == []
    assert shape_problems(final, FinalReport) == []


def test_reports_of_the_demo_sample_match_the_model(app: Flask) -> None:
    with app.app_context():
        seed_demo(600)
        interim = build_interim_report(db.engine)
        final = build_final_report(db.engine)

    assert final["weighting"] is not None and final["weighting"]["weighted"]
    assert shape_problems(interim, InterimReport) == []
    assert shape_problems(final, FinalReport) == []


def test_reports_without_census_benchmarks_match_the_model(app: Flask) -> None:
    with app.app_context():
        seed_demo(300)
        db.session.execute(delete(PopulationBenchmark))
        db.session.commit()
        interim = build_interim_report(db.engine)
        final = build_final_report(db.engine)

    assert all(d["benchmark"] is None for d in interim["representativeness"]["dimensions"])
    assert final["weighting"] is not None and not final["weighting"]["weighted"]
    assert shape_problems(interim, InterimReport) == []
    assert shape_problems(final, FinalReport) == []


def test_the_shape_check_finds_a_missing_key_an_extra_key_and_a_wrong_type() -> None:
    report = {
        "kind": "interim",
        "title": 1,
        "generated_on": "2026-11-30",
        "disclosure": {"threshold": 10, "rule": "r"},
        "messages": [],
        "survey": None,
        "unexpected": True,
    }

    assert shape_problems(report, InterimReport) == [
        "report: missing ['summary']",
        "report: not in the model ['unexpected']",
        "report.title: 1, not str",
    ]
