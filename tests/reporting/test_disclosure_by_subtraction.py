"""No suppressed count can be worked out from the published figures by arithmetic.

The attacker here reads a report's JSON (which holds every figure the HTML, PDF and XLSX
show), writes down every sum the figures must obey (a table and its total, a breakdown and its
indicator's total, LGB+ and the sexual orientations it adds up, the same people counted in two
tables) and solves: a hidden count that the equations pin down exactly is a disclosure.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from reporting.disclosure import linked_suppressions
from reporting.final import build_final_report
from reporting.interim import build_interim_report
from survey_app.extensions import db

from .demo_data import add_response, seed_demo

LGB_PARTS = {"yes": ("gay_lesbian", "bisexual", "other"), "no": ("straight",)}


class Equations:
    """Linear equations over counts, some known (published) and some not."""

    def __init__(self) -> None:
        self.known: dict[Any, int] = {}
        self.unknown: set[Any] = set()
        self.rows: list[tuple[dict[Any, int], int]] = []  # coefficients, constant

    def value(self, key: Any, published: Any) -> None:
        if isinstance(published, int) and not isinstance(published, bool):
            self.known[key] = published
            self.unknown.discard(key)
        elif key not in self.known:
            self.unknown.add(key)

    def add(self, terms: dict[Any, int]) -> None:
        """sum(coefficient * variable) = 0 over known and unknown variables."""
        self.rows.append((terms, 0))

    def recovered(self) -> dict[Any, float]:
        """Unknown variables whose value the equations fix exactly, with that value."""
        unknowns = sorted(self.unknown, key=repr)
        if not unknowns:
            return {}
        index = {key: i for i, key in enumerate(unknowns)}
        matrix, constants = [], []
        for terms, _ in self.rows:
            row = np.zeros(len(unknowns))
            constant = 0.0
            for key, coefficient in terms.items():
                if key in index:
                    row[index[key]] += coefficient
                else:
                    constant -= coefficient * self.known.get(key, 0)
            if row.any():
                matrix.append(row)
                constants.append(constant)
        if not matrix:
            return {}
        a, b = np.array(matrix), np.array(constants)
        solution = np.linalg.lstsq(a, b, rcond=None)[0]
        # A variable is fixed exactly when every solution of the homogeneous system leaves it
        # at zero: its row of the null space basis is zero.
        _, singular, vt = np.linalg.svd(a)
        rank = int((singular > 1e-9 * max(singular.max(), 1.0)).sum())
        null_space = vt[rank:].T
        return {
            key: round(float(solution[index[key]]))
            for key in unknowns
            if null_space.shape[1] == 0 or np.abs(null_space[index[key]]).max() < 1e-9
        }


def _representativeness_equations(report: dict, equations: Equations) -> None:
    submitted = ("submitted",)
    equations.value(submitted, report["fieldwork"]["submitted"])
    for dimension in report["representativeness"]["dimensions"]:
        name = dimension["dimension"]
        terms = {submitted: -1}
        for row in dimension["categories"]:
            equations.value((name, row["category"]), row["n"])
            terms[(name, row["category"])] = 1
        equations.value((name, None), dimension["not_stated"])
        terms[(name, None)] = 1
        if dimension.get("outside_population") is not None:
            equations.value((name, "outside"), dimension["outside_population"])
            terms[(name, "outside")] = 1
        equations.add(terms)
    # Channel reach: each channel's count of the group adds up to the group's count, and the
    # channels' bases to everyone who answered the dimension.
    answered = {
        d["dimension"]: (d["answered"], d.get("outside_population"))
        for d in report["representativeness"]["dimensions"]
    }
    for group in report["representativeness"]["flagged_groups"]:
        name, category = group["dimension"], group["category"]
        counts = {(name, category): -1}
        bases = {("answered", name): -1}
        equations.value(("answered", name), answered[name][0])
        if answered[name][1] is not None:
            bases[(name, "outside")] = -1
        for row in group["channel_reach"]:
            equations.value(("reach", name, category, row["channel"]), row["group_count"])
            equations.value(("reach base", name, row["channel"]), row["n"])
            counts[("reach", name, category, row["channel"])] = 1
            bases[("reach base", name, row["channel"])] = 1
        equations.add(counts)
        equations.add(bases)
    for rolled, parts in LGB_PARTS.items():
        terms = {("lgb_plus", rolled): -1}
        terms.update({("sexual_orientation", part): 1 for part in parts})
        equations.add(terms)
    equations.add({("lgb_plus", None): -1, ("sexual_orientation", None): 1})


def _breakdown_equations(indicators: list[dict], equations: Equations) -> None:
    for indicator in indicators:
        key = indicator["key"]
        total_numerator, total_n = (key, "numerator"), (key, "n")
        equations.value(total_numerator, indicator["numerator"])
        equations.value(total_n, indicator["n"])
        for dimension, rows in indicator["breakdowns"].items():
            numerators = {total_numerator: -1, (key, dimension, None, "numerator"): 1}
            bases = {total_n: -1, (key, dimension, None, "n"): 1}
            for row in rows:
                cell = (key, dimension, row["category"])
                equations.value((*cell, "numerator"), row["numerator"])
                equations.value((*cell, "n"), row["n"])
                numerators[(*cell, "numerator")] = 1
                bases[(*cell, "n")] = 1
            # Those who did not state the group: never published, but fixed by the others.
            equations.value((key, dimension, None, "numerator"), None)
            equations.value((key, dimension, None, "n"), None)
            equations.add(numerators)
            equations.add(bases)
        if "lgb_plus" in indicator["breakdowns"]:
            for measure in ("numerator", "n"):
                for rolled, parts in LGB_PARTS.items():
                    terms = {(key, "lgb_plus", rolled, measure): -1}
                    terms.update({(key, "sexual_orientation", p, measure): 1 for p in parts})
                    equations.add(terms)
                equations.add(
                    {
                        (key, "lgb_plus", None, measure): -1,
                        (key, "sexual_orientation", None, measure): 1,
                    }
                )


# Headline indicators that add up options of one question over the same base.
INDICATOR_OPTIONS = {
    "very_or_fairly_safe_after_dark": ("safe_after_dark", ("very_safe", "fairly_safe")),
    "police_council_dealing": ("police_council_dealing", ("strongly_agree", "tend_to_agree")),
    "victim_last_12_months": ("victim", ("yes",)),
    "reported_to_police": ("reported", ("all", "some")),
}


def _question_equations(report: dict, equations: Equations) -> None:
    """A single choice's options add up to its base; some indicators add up options."""
    for question in report["questions"]:
        for table in question["tables"]:
            answer = table["answer_id"]
            equations.value(("base", answer), table["n"])
            terms = {("base", answer): -1}
            for option in table["options"]:
                equations.value(("option", answer, option["value"]), option["numerator"])
                equations.value(("option base", answer, option["value"]), option["n"])
                equations.add({("option base", answer, option["value"]): 1, ("base", answer): -1})
                terms[("option", answer, option["value"])] = 1
            if question["kind"] != "multiple":
                equations.add(terms)
    indicators = report.get("early_results", {}).get("indicators", [])
    for indicator in indicators:
        if indicator["key"] not in INDICATOR_OPTIONS:
            continue
        answer, values = INDICATOR_OPTIONS[indicator["key"]]
        equations.value(("indicator", indicator["key"]), indicator["numerator"])
        terms = {("indicator", indicator["key"]): -1}
        terms.update({("option", answer, value): 1 for value in values})
        equations.add(terms)


def disclosed(found: dict[Any, float], equations: Equations) -> list[tuple[Any, float]]:
    """Recovered counts that the rules would not publish: 1 to 9 people, or 1 to 9 people
    without the answer in a group (a numerator whose rest is small)."""
    bad = []
    for key, value in found.items():
        if 0 < value < 10:
            bad.append((key, value))
        elif key[-1] == "numerator":
            n_key = (*key[:-1], "n")
            n = equations.known.get(n_key, found.get(n_key))
            if n is not None and 0 < n - value < 10:
                bad.append((key, value))
    return bad


def _small_groups(app) -> None:  # type: ignore[no-untyped-def]
    """Demo responses, with a handful of residents of another sexual orientation: the case
    where LGB+ less gay or lesbian less bisexual gave a suppressed count back."""
    with app.app_context():
        seed_demo(700, seed=19)
        for _ in range(6):
            add_response(
                answers={"safe_after_dark": "very_safe", "sexual_orientation": "other"},
                sexual_orientation="other",
                lgb_plus="yes",
                age_band="25-34",
                sex="female",
            )


@pytest.mark.parametrize("build", [build_interim_report, build_final_report])
def test_no_suppressed_count_can_be_recovered_by_subtraction(app, build):
    _small_groups(app)
    with app.app_context():
        report = build(db.engine)
    equations = Equations()
    _representativeness_equations(report, equations)
    assert disclosed(equations.recovered(), equations) == []

    equations = Equations()
    _question_equations(report, equations)
    found = disclosed(equations.recovered(), equations)
    assert found == [], found[:10]

    for section in ("early_results", "weighted_results"):
        if report.get(section):
            equations = Equations()
            _breakdown_equations(report[section]["indicators"], equations)
            found = disclosed(equations.recovered(), equations)
            assert found == [], found[:10]


def test_the_attacker_finds_what_the_old_rules_gave_away():
    # LGB+ published beside its parts, with one part hidden on its own: recoverable...
    equations = Equations()
    for key, value in {"gay_lesbian": 33, "bisexual": 28, "other": "fewer than 10"}.items():
        equations.value(("sexual_orientation", key), value)
    equations.value(("lgb_plus", "yes"), 75)
    equations.add(
        {
            ("lgb_plus", "yes"): -1,
            ("sexual_orientation", "gay_lesbian"): 1,
            ("sexual_orientation", "bisexual"): 1,
            ("sexual_orientation", "other"): 1,
        }
    )
    assert equations.recovered() == {("sexual_orientation", "other"): 14}


def test_linked_suppression_hides_a_second_part_of_a_published_sum():
    cells = {"gay": 33, "bi": 28, "other": 6, "lgb": 67}
    hidden = linked_suppressions(cells, {"other"}, [(frozenset({"gay", "bi", "other"}), "lgb")])
    assert hidden == {"other", "bi"}
