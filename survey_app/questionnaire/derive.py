"""Map a resident's answers onto the census categories the reports compare with."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .definition import PREFER_NOT_TO_SAY, Answers, Questionnaire


def _mapped(rule: Mapping[str, Any], answers: Answers) -> str | None:
    answer = answers.get(rule["from"])
    if answer == PREFER_NOT_TO_SAY:
        return PREFER_NOT_TO_SAY
    # Answers with no census equivalent (housing "Other") are left out of the comparison.
    return rule["map"].get(answer) if isinstance(answer, str) else None


def _banded(rule: Mapping[str, Any], answers: Answers) -> str | None:
    answer = answers.get(rule["from"])
    if answer == PREFER_NOT_TO_SAY:
        return PREFER_NOT_TO_SAY
    if not isinstance(answer, int):
        return None
    return next((band for low, high, band in rule["bands"] if low <= answer <= high), None)


def _equality_act_disability(rule: Mapping[str, Any], answers: Answers) -> str | None:
    # The census counts as disabled those whose long-term condition limits them a lot or a little.
    condition = answers.get(rule["condition"])
    if condition == "no":
        return "not_disabled"
    if condition == PREFER_NOT_TO_SAY:
        return PREFER_NOT_TO_SAY
    if condition != "yes":
        return None
    reduces = answers.get(rule["reduces"])
    if reduces in ("a_lot", "a_little"):
        return "disabled"
    if reduces == "not_at_all":
        return "not_disabled"
    return PREFER_NOT_TO_SAY if reduces == PREFER_NOT_TO_SAY else None


def _parent_under_40(rule: Mapping[str, Any], answers: Answers) -> str | None:
    parent, age = answers.get(rule["parent"]), answers.get(rule["age"])
    if parent == "no" or (isinstance(age, int) and age >= 40):
        return "no"
    if parent == "yes" and isinstance(age, int):
        return "yes"
    if PREFER_NOT_TO_SAY in (parent, age):
        return PREFER_NOT_TO_SAY
    return None


RULES: dict[str, Callable[[Mapping[str, Any], Answers], str | None]] = {
    "equality_act_disability": _equality_act_disability,
    "parent_under_40": _parent_under_40,
}


def derive_dimensions(questionnaire: Questionnaire, answers: Answers) -> dict[str, str | None]:
    """Census categories for one response; None where the resident did not answer."""
    derived: dict[str, str | None] = {}
    for name, rule in questionnaire.definition["derived"].items():
        if "rule" in rule:
            derived[name] = RULES[rule["rule"]](rule, answers)
        elif "bands" in rule:
            derived[name] = _banded(rule, answers)
        else:
            derived[name] = _mapped(rule, answers)
    return derived
