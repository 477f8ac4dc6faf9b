"""Waves: the survey run again (next year, say) with the same or a new questionnaire."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Response, Survey, SurveyTranslation
from survey_app.questionnaire.definition import DEFAULT_DEFINITION

from ..helpers import complete_survey


def listed(runner) -> list[tuple[int, int, str]]:
    result = runner.invoke(args=["survey", "list", "--json"])
    assert result.exit_code == 0, result.output
    return [(row["wave"], row["version"], row["status"]) for row in json.loads(result.output)]


def test_a_new_wave_needs_the_last_one_closed(runner):
    refused = runner.invoke(args=["survey", "new-wave"])
    assert refused.exit_code != 0
    assert "Wave 1 of safermk-perceptions is still open; close it first" in refused.output
    assert "flask survey close safermk-perceptions:1" in refused.output
    assert listed(runner) == [(1, 1, "open")]


def test_the_next_wave_runs_the_same_questionnaire_with_its_languages_and_channels(
    app, client, runner
):
    client.get("/s/age-uk")
    complete_survey(client)
    assert runner.invoke(args=["survey", "close"]).exit_code == 0

    started = runner.invoke(args=["survey", "new-wave", "safermk-perceptions", "--open"])
    assert started.exit_code == 0, started.output
    assert "Started safermk-perceptions wave 2, questionnaire v1 (open)." in started.output
    assert "Every channel link carries over (13 in use)" in started.output
    assert listed(runner) == [(1, 1, "closed"), (2, 1, "open")]

    # A resident following last year's partner link answers the new wave, in Polish if they like.
    resident = app.test_client()
    assert "Start now" in resident.get("/s/age-uk", follow_redirects=True).get_data(as_text=True)
    complete_survey(resident)
    polish = app.test_client().get("/?lang=pl").get_data(as_text=True)
    assert '<html lang="pl"' in polish and "<title>Poczucie bezpiecze" in polish
    with app.app_context():
        waves = {s.wave: s.id for s in db.session.scalars(select(Survey))}
        per_wave = dict(
            db.session.execute(
                select(Response.survey_id, func.count()).group_by(Response.survey_id)
            ).all()
        )
        assert per_wave == {waves[1]: 1, waves[2]: 1}
        languages = set(
            db.session.scalars(
                select(SurveyTranslation.language).where(SurveyTranslation.survey_id == waves[2])
            )
        )
        assert languages == {"pl", "ro", "ur"}

    stats = runner.invoke(args=["survey", "stats", "safermk-perceptions:1", "--json"])
    assert json.loads(stats.output)["channels"]["age-uk"]["submitted"] == 1
    bad = runner.invoke(args=["survey", "stats", "safermk-perceptions:two"])
    assert bad.exit_code != 0 and "The wave must be a number" in bad.output


def test_a_new_wave_can_run_a_new_version_of_the_questionnaire(runner, tmp_path: Path):
    definition = json.loads(DEFAULT_DEFINITION.read_text())
    definition["version"] = 2
    definition["pages"][1]["questions"][0]["label"] = "How safe do you feel after dark?"
    path = tmp_path / "v2.json"
    path.write_text(json.dumps(definition))
    other = dict(definition, slug="another-survey")
    other_path = tmp_path / "other.json"
    other_path.write_text(json.dumps(other))
    assert runner.invoke(args=["survey", "close"]).exit_code == 0

    wrong = runner.invoke(args=["survey", "new-wave", "--definition", str(other_path)])
    assert wrong.exit_code != 0 and "a wave continues the same survey" in wrong.output
    started = runner.invoke(args=["survey", "new-wave", "--definition", str(path)])
    assert started.exit_code == 0, started.output
    assert "Started safermk-perceptions wave 2, questionnaire v2 (closed)." in started.output
    assert "flask survey open safermk-perceptions:2" in started.output
    assert listed(runner) == [(1, 1, "closed"), (2, 2, "closed")]


def test_demo_data_goes_to_the_wave_named(app, runner):
    assert runner.invoke(args=["survey", "close"]).exit_code == 0
    assert runner.invoke(args=["survey", "new-wave"]).exit_code == 0
    for wave, count in (("1", "30"), ("2", "20")):
        seeded = runner.invoke(
            args=["demo", "seed", "--responses", count, "--survey", f"safermk-perceptions:{wave}"]
        )
        assert seeded.exit_code == 0, seeded.output
    result = runner.invoke(args=["survey", "list", "--json"])
    assert [(row["wave"], row["submitted"]) for row in json.loads(result.output)] == [
        (1, 30),
        (2, 20),
    ]
    final = runner.invoke(
        args=[
            "report",
            "final",
            "--survey",
            "safermk-perceptions:2",
            "--out",
            str(Path(app.instance_path) / "out"),
            "--format",
            "json",
        ]
    )
    assert final.exit_code == 0, final.output
    written = Path(final.output.split("Wrote ")[1].strip())
    assert written.name.startswith("safermk-perceptions-wave2-final-")
    report = json.loads(written.read_text())
    assert report["survey"]["wave"] == 2 and report["comparison"]["previous"]["wave"] == 1


def test_the_analyst_chooses_which_wave_a_report_or_export_is_for(app, runner):
    from ..helpers import run_jobs, text_of
    from .staff_factories import ANALYST_EMAIL, make_staff, sign_in

    make_staff(app)
    analyst = app.test_client()
    sign_in(analyst, ANALYST_EMAIL)
    assert "Which wave" not in text_of(analyst.get("/admin/reports"))  # one wave: no choice

    assert runner.invoke(args=["demo", "seed", "--responses", "40"]).exit_code == 0
    assert runner.invoke(args=["survey", "close"]).exit_code == 0
    assert runner.invoke(args=["survey", "new-wave", "--open"]).exit_code == 0
    with app.app_context():
        ids = {s.wave: s.id for s in db.session.scalars(select(Survey))}
    page = analyst.get("/admin/reports")
    text = text_of(page)
    assert "Which wave Wave 2 (open) Wave 1 (closed" in text
    # The open wave is chosen unless the analyst chooses another.
    html = page.get_data(as_text=True)
    assert f'value="{ids[2]}" checked' in html

    refused = analyst.submit("/admin/reports/generate", {"kind": "final", "wave": "99999"})
    assert refused.status_code == 200 and "Select which wave" in text_of(refused)

    queued = analyst.submit("/admin/reports/generate", {"kind": "final", "wave": str(ids[1])})
    assert queued.status_code == 302, text_of(queued)
    exported = analyst.submit(
        "/admin/exports/generate", {"export_format": "csv", "wave": str(ids[1])}
    )
    assert exported.status_code == 302
    assert run_jobs(app) == 2
    names = [name for name in text_of(analyst.get("/admin/reports")).split() if "wave" in name]
    assert any(name.startswith("safermk-perceptions-wave1-final-") for name in names), names
    assert any(name.startswith("safermk-perceptions-wave1-responses-") for name in names), names


def test_a_wave_never_opened_is_neither_followed_by_another_nor_compared_with(app, runner):
    assert runner.invoke(args=["demo", "seed", "--responses", "30"]).exit_code == 0
    assert runner.invoke(args=["survey", "close"]).exit_code == 0
    assert runner.invoke(args=["survey", "new-wave"]).exit_code == 0  # wave 2, not opened

    again = runner.invoke(args=["survey", "new-wave"])
    assert again.exit_code != 0
    assert "Wave 2 of safermk-perceptions has never been opened" in again.output
    assert "flask survey open safermk-perceptions:2" in again.output

    # Were a wave 3 made some other way, its report compares with wave 1, which ran.
    with app.app_context():
        from survey_app.models import Survey as Wave

        second = db.session.scalars(select(Wave).where(Wave.wave == 2)).one()
        db.session.add(
            Wave(
                slug=second.slug,
                wave=3,
                version=second.version,
                title=second.title,
                definition=second.definition,
                status="closed",
            )
        )
        db.session.commit()
    seeded = runner.invoke(
        args=["demo", "seed", "--responses", "30", "--survey", "safermk-perceptions:3"]
    )
    assert seeded.exit_code == 0, seeded.output
    out = Path(app.instance_path) / "out3"
    final = runner.invoke(
        args=[
            "report",
            "final",
            "--survey",
            "safermk-perceptions:3",
            "--out",
            str(out),
            "--format",
            "json",
        ]
    )
    assert final.exit_code == 0, final.output
    report = json.loads(next(out.glob("*.json")).read_text())
    assert report["comparison"]["previous"]["wave"] == 1
