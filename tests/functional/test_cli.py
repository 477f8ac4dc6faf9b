"""The analyst's and operator's commands."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Channel, PopulationBenchmark, Response, Survey

from ..helpers import complete_survey


def test_setup_is_idempotent(app, runner):
    first = runner.invoke(args=["setup"])
    second = runner.invoke(args=["setup"])

    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "already loaded, open" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Survey)) == 1
        assert db.session.scalar(select(func.count()).select_from(Channel)) == 13
        assert db.session.scalar(select(func.count()).select_from(PopulationBenchmark)) == 24


def test_stats_counts_submitted_and_in_progress_per_channel(app, client, runner):
    client.get("/s/age-uk")
    complete_survey(client)
    other = app.test_client()
    other.get("/s/mk-college")
    complete_survey(other, submit=False)

    result = runner.invoke(args=["survey", "stats", "--json"])
    assert result.exit_code == 0, result.output
    channels = json.loads(result.output)["channels"]
    assert channels["age-uk"] == {"submitted": 1, "in_progress": 0}
    assert channels["mk-college"] == {"submitted": 0, "in_progress": 1}
    assert channels["facebook"] == {"submitted": 0, "in_progress": 0}

    table = runner.invoke(args=["survey", "stats"])
    assert table.exit_code == 0, table.output
    assert "age-uk" in table.output and "total" in table.output


def test_channels_add_and_list(app, runner):
    added = runner.invoke(
        args=[
            "channels",
            "add",
            "estate-posters",
            "--partner",
            "Grand Union Housing",
            "--name",
            "Estate noticeboards",
        ]
    )
    assert added.exit_code == 0, added.output
    assert "/s/estate-posters" in added.output

    listed = runner.invoke(args=["channels", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    row = next(r for r in json.loads(listed.output) if r["slug"] == "estate-posters")
    assert row["partner"] == "Grand Union Housing" and row["link"] == "/s/estate-posters"


def test_channels_add_refuses_a_bad_or_taken_slug(runner):
    bad = runner.invoke(args=["channels", "add", "Not A Slug", "--partner", "X", "--name", "Y"])
    taken = runner.invoke(args=["channels", "add", "age-uk", "--partner", "X", "--name", "Y"])
    assert bad.exit_code != 0 and "lower-case letters" in bad.output
    assert taken.exit_code != 0 and "already a channel with the short name" in taken.output


def test_survey_close_and_open(app, client, runner):
    closed = runner.invoke(args=["survey", "close"])
    assert closed.exit_code == 0 and "is closed" in closed.output, closed.output
    assert "This survey has closed" in client.get("/").get_data(as_text=True)
    opened = runner.invoke(args=["survey", "open"])
    assert opened.exit_code == 0 and "is open" in opened.output, opened.output
    assert "Start now" in client.get("/").get_data(as_text=True)


def test_survey_load_checks_the_definition(tmp_path, runner):
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"slug": "x", "version": 1}))
    result = runner.invoke(args=["survey", "load", str(broken)])
    assert result.exit_code != 0
    assert "Questionnaire definition is invalid" in result.output


def test_survey_load_of_a_new_version_and_list(app, tmp_path, runner):
    from survey_app.questionnaire.definition import DEFAULT_DEFINITION

    definition = json.loads(DEFAULT_DEFINITION.read_text())
    definition["version"] = 2
    path = tmp_path / "v2.json"
    path.write_text(json.dumps(definition))

    loaded = runner.invoke(args=["survey", "load", str(path)])
    assert loaded.exit_code == 0, loaded.output
    assert "Loaded safermk-perceptions wave 2, questionnaire v2 (closed)" in loaded.output
    listed = runner.invoke(args=["survey", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    versions = [(s["wave"], s["version"], s["status"]) for s in json.loads(listed.output)]
    assert versions == [(1, 1, "open"), (2, 2, "closed")]


def test_changed_options_under_an_old_version_number_are_refused(tmp_path, runner):
    from survey_app.questionnaire.definition import DEFAULT_DEFINITION

    definition = json.loads(DEFAULT_DEFINITION.read_text())
    definition["pages"][1]["questions"][0]["options"].pop()
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(definition))
    result = runner.invoke(args=["survey", "load", str(path)])
    assert result.exit_code != 0 and "new version number" in result.output


def test_corrected_wording_under_the_same_version_replaces_the_old(app, tmp_path, runner):
    from survey_app.questionnaire.definition import DEFAULT_DEFINITION

    definition = json.loads(DEFAULT_DEFINITION.read_text())
    definition["pages"][1]["questions"][0]["label"] = "How safe do you feel outside after dark?"
    path = tmp_path / "reworded.json"
    path.write_text(json.dumps(definition))
    result = runner.invoke(args=["survey", "load", str(path)])
    assert result.exit_code == 0 and "Wording updated" in result.output

    with app.app_context():
        surveys = db.session.scalars(select(Survey)).all()
        assert len(surveys) == 1
        stored = surveys[0].definition["pages"][1]["questions"][0]["label"]
        assert stored == "How safe do you feel outside after dark?"


def test_benchmarks_load_with_source_and_year(app, tmp_path, runner):
    wards = tmp_path / "wards.csv"
    wards.write_text(
        "dimension,category,label,count\nward,olney,Olney,7000\nward,bradwell,Bradwell,9000\n"
    )
    result = runner.invoke(
        args=[
            "benchmarks",
            "load",
            str(wards),
            "--source",
            "ONS mid-2022 ward estimates",
            "--year",
            "2022",
        ]
    )
    assert result.exit_code == 0, result.output
    again = runner.invoke(
        args=[
            "benchmarks",
            "load",
            str(wards),
            "--source",
            "ONS mid-2022 ward estimates",
            "--year",
            "2022",
        ]
    )
    assert again.exit_code != 0 and "--replace" in again.output
    with app.app_context():
        rows = db.session.scalars(
            select(PopulationBenchmark).where(PopulationBenchmark.dimension == "ward")
        ).all()
        assert {(r.category, r.count, r.year) for r in rows} == {
            ("olney", 7000, 2022),
            ("bradwell", 9000, 2022),
        }


def test_benchmarks_load_explains_a_bad_file(tmp_path, runner):
    bad = tmp_path / "bad.csv"
    bad.write_text("dimension,category,count\nward,olney,lots\n")
    result = runner.invoke(args=["benchmarks", "load", str(bad), "--source", "x", "--year", "2022"])
    assert result.exit_code != 0 and "line 2" in result.output


def test_demo_seed_creates_uneven_submitted_responses(app, runner):
    result = runner.invoke(args=["demo", "seed", "--responses", "2000", "--seed", "7"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        total = db.session.scalar(
            select(func.count()).select_from(Response).where(Response.status == "submitted")
        )
        by_band = {
            band: count
            for band, count in db.session.execute(
                select(Response.age_band, func.count()).group_by(Response.age_band)
            )
        }
        black = db.session.scalar(
            select(func.count()).select_from(Response).where(Response.ethnic_group == "black")
        )
        tagged = db.session.scalar(select(func.count(func.distinct(Response.channel_id))))
    assert total == 2000
    # Census: 16-24s are 12% and 55-74s 24% of adults; black residents 8.7%.
    assert by_band["16-24"] / total < 0.08
    assert (by_band["55-64"] + by_band["65-74"]) / total > 0.32
    assert black / total < 0.05
    assert tagged >= 12


def test_demo_seed_refuses_to_mix_with_real_responses(client, runner):
    complete_survey(client)
    result = runner.invoke(args=["demo", "seed", "--responses", "10"])
    assert result.exit_code != 0 and "real responses" in result.output
