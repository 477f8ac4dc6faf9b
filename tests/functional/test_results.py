"""Results published to residents: nothing public until the analyst publishes a closed wave,
every figure as the reports' disclosure control leaves it, "You said, we did" entries in the
analyst's words, and nothing public again once unpublished."""

from __future__ import annotations

import csv
import io
import json
import re

from bs4 import BeautifulSoup
from flask import Flask
from sqlalchemy import func, select

from survey_app import responses, setup_data, you_said_we_did
from survey_app.demo import seed_responses
from survey_app.extensions import db
from survey_app.models import PublishedResults, Survey, YouSaidWeDid

from ..helpers import PageCheckingClient, complete_survey, error_messages, run_jobs, text_of
from .staff_factories import ANALYST_EMAIL, PARTNER_A_EMAIL, make_staff, sign_in

SLUG = "safermk-perceptions"
WAVE_ONE = f"/results/{SLUG}/1"
# What the resident of FULL_ANSWERS wrote in their own words.
THEIR_WORDS = "More lighting on the redways, please."
SUPPRESSED = ("fewer than 10", "withheld")


def _close(app: Flask, wave: int) -> int:
    with app.app_context():
        survey = db.session.scalars(select(Survey).where(Survey.wave == wave)).one()
        setup_data.set_survey_status(survey, "closed")
        db.session.commit()
        return survey.id


def _wave_one(app: Flask, count: int = 150) -> int:
    """The open survey with `count` demo responses (some groups fewer than 10) and one
    resident's, who wrote in their own words; then closed."""
    with app.app_context():
        survey = responses.open_survey()
        assert survey is not None
        seed_responses(count=count, survey=survey)
    complete_survey(app.test_client())  # type: ignore[arg-type]
    return _close(app, 1)


def _wave_two(app: Flask, count: int = 150) -> int:
    """The next wave, run and closed, so the results have a change since wave 1."""
    with app.app_context():
        survey = setup_data.new_wave(SLUG, open_it=True).survey
        seed_responses(count=count, survey=survey)
    return _close(app, 2)


def _publish(runner, label: str | None = None):  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["results", "publish", *([label] if label else [])])
    assert result.exit_code == 0, result.output
    return result


def _csv_rows(client: PageCheckingClient, url: str) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def _published_count(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(PublishedResults)) or 0)


def _analyst(app: Flask) -> PageCheckingClient:
    make_staff(app)
    client: PageCheckingClient = app.test_client()  # type: ignore[assignment]
    sign_in(client, ANALYST_EMAIL)
    return client


# Nothing public before publishing ----------------------------------------------------------


def test_nothing_is_public_before_the_results_are_published(app, client):
    _wave_one(app)

    waiting = client.get("/results")
    assert waiting.status_code == 200
    assert "The results will appear here after the survey closes" in text_of(waiting)
    assert "%" not in text_of(waiting)
    assert client.get(WAVE_ONE).status_code == 404
    assert client.get(f"{WAVE_ONE}.csv").status_code == 404
    assert client.get("/results/no-such-survey/1").status_code == 404
    assert client.get(f"/results/{SLUG}/99999999999").status_code == 404


# Publishing from the command line ----------------------------------------------------------


def test_publishing_shows_the_findings_and_the_csv_of_the_same_figures(app, client, runner):
    _wave_one(app)

    result = _publish(runner)

    assert f"Published the results of {SLUG}:1." in result.output
    assert f"/results/{SLUG}/1" in result.output
    for url in ("/results", WAVE_ONE):
        page = client.get(url)
        assert page.status_code == 200
        text = text_of(page)
        assert "residents took part between" in text
        assert re.search(
            r"\d+% of residents feel very or fairly safe walking alone after dark", text
        )
        assert "likely between" in text
        assert "Who took part" in text and "You said, we did" in text
        # Published pages are the same for everyone: caches may keep them briefly.
        assert page.headers["Cache-Control"] == "public, max-age=300"
    download = client.get(f"{WAVE_ONE}.csv")
    assert download.mimetype == "text/csv"
    assert download.headers["Content-Disposition"] == (
        f'attachment; filename="{SLUG}-wave1-results.csv"'
    )
    rows = _csv_rows(client, f"{WAVE_ONE}.csv")
    took_part = next(row for row in rows if row["measure"] == "Residents who took part")
    assert took_part["value"] == "151"
    safe = next(row for row in rows if row["measure"].startswith("Feel very or fairly safe"))
    assert safe["unit"] == "percent" and float(safe["interval_low"]) < float(safe["value"])
    assert {row["section"] for row in rows} >= {"Headline indicators", "Who took part"}
    # The page links to its CSV.
    soup = BeautifulSoup(client.get(WAVE_ONE).get_data(as_text=True), "html.parser")
    assert soup.find("a", href=f"{WAVE_ONE}.csv") is not None


def test_no_count_under_10_and_no_residents_words_are_published(app, client, runner):
    _wave_one(app)
    _publish(runner)

    rows = _csv_rows(client, f"{WAVE_ONE}.csv")
    counts = [row["value"] for row in rows if row["unit"] == "respondents"]
    assert "fewer than 10" in counts, "the small wave should have a suppressed group"
    for value in counts:
        assert value in SUPPRESSED or int(value) == 0 or int(value) >= 10, value

    page = client.get(WAVE_ONE)
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    cells = [cell.get_text(strip=True) for cell in soup.select("td.govuk-table__cell--numeric")]
    assert "fewer than 10" in cells
    for cell in cells:
        if re.fullmatch(r"\d[\d,]*", cell):
            number = int(cell.replace(",", ""))
            assert number == 0 or number >= 10, cell

    with app.app_context():
        stored = db.session.scalars(select(PublishedResults.figures)).one()
    figures = json.loads(stored)
    assert figures["shape"] == 1
    for text in (stored, page.get_data(as_text=True), json.dumps(rows)):
        assert THEIR_WORDS not in text
    # Nothing per channel, partner or language, which could be subtracted from other figures;
    # and no base's total, which beside the number who took part would give away how many did
    # not answer (fewer than 10, often).
    assert not {"channels", "languages", "by_day", "questions"} & set(figures)
    assert all("n" not in row for row in figures["headline"])
    assert all("answered" not in dimension for dimension in figures["who_took_part"])
    assert "Age UK" not in stored and "facebook" not in stored.lower()


def test_publishing_again_replaces_the_figures_and_says_so(app, runner):
    _wave_one(app)
    _publish(runner, f"{SLUG}:1")

    again = _publish(runner, f"{SLUG}:1")

    assert "Published safermk-perceptions:1 again: these figures replace those published on" in (
        again.output
    )
    assert _published_count(app) == 1


def test_a_wave_still_open_is_not_published(app, client, runner):
    result = runner.invoke(args=["results", "publish", f"{SLUG}:1"])

    assert result.exit_code == 1
    assert "is still open. Results are published after the survey closes" in result.output
    assert _published_count(app) == 0
    assert client.get(WAVE_ONE).status_code == 404


def test_unpublishing_removes_the_page_and_keeps_the_entries_as_drafts(app, client, runner):
    survey_id = _wave_one(app)
    _publish(runner)
    with app.app_context():
        you_said_we_did.add_entry(
            survey_id, "You said the underpasses feel unsafe.", "We lit them."
        )

    result = runner.invoke(args=["results", "unpublish"])

    assert result.exit_code == 0, result.output
    assert "Its 'You said, we did' entry is kept as a draft." in result.output
    assert "Unpublished the results of safermk-perceptions:1" in result.output
    assert client.get(WAVE_ONE).status_code == 404
    assert client.get(f"{WAVE_ONE}.csv").status_code == 404
    assert "The results will appear here" in text_of(client.get("/results"))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(YouSaidWeDid)) == 1
    again = runner.invoke(args=["results", "unpublish", f"{SLUG}:1"])
    assert again.exit_code == 1 and "not published" in again.output


def test_results_list_names_every_wave(app, runner):
    _wave_one(app)
    _publish(runner)

    listed = runner.invoke(args=["results", "list"])

    assert listed.exit_code == 0, listed.output
    assert re.search(rf"{SLUG}:1\s+published ", listed.output)


# The change since the previous wave --------------------------------------------------------


def test_the_change_since_the_previous_wave_is_shown_and_in_the_csv(app, client, runner):
    _wave_one(app)
    _wave_two(app)

    _publish(runner)  # the newest closed wave: wave 2

    text = text_of(client.get("/results"))
    assert "in the last survey" in text
    assert "no clear change" in text or "larger than chance would explain" in text
    assert "Change in points (likely range)" in text
    rows = _csv_rows(client, f"/results/{SLUG}/2.csv")
    safe = next(row for row in rows if row["measure"].startswith("Feel very or fairly safe"))
    assert (
        safe["previous_value"]
        and safe["change"]
        and safe["change_beyond_chance"]
        in (
            "yes",
            "no",
        )
    )
    assert client.get(WAVE_ONE).status_code == 404  # wave 1 itself was not published


# The analyst's pages -----------------------------------------------------------------------


def test_the_analyst_publishes_from_the_reports_page_through_the_worker(app):
    survey_id = _wave_one(app)
    analyst = _analyst(app)

    reports = analyst.get("/admin/reports")
    assert "Results for residents" in text_of(reports)
    assert "Wave 1 Not published" in text_of(reports)
    queued = analyst.submit(f"/admin/results/{survey_id}/publish")
    assert queued.status_code == 302 and queued.headers["Location"].startswith("/admin/jobs/")
    assert analyst.get(WAVE_ONE).status_code == 404  # not until the worker has made it

    assert run_jobs(app) == 1
    done = analyst.get(queued.headers["Location"])
    assert "Published" in text_of(done)
    assert f'href="{WAVE_ONE}"' in done.get_data(as_text=True)
    assert app.test_client().get(WAVE_ONE).status_code == 200
    assert "Wave 1 Published" in text_of(analyst.get("/admin/reports"))


def test_the_analyst_unpublishes_after_confirming(app, runner):
    survey_id = _wave_one(app)
    _publish(runner)
    analyst = _analyst(app)

    manage = analyst.get(f"/admin/results/{survey_id}")
    assert "Unpublish" in text_of(manage)
    confirm = analyst.get(f"/admin/results/{survey_id}/unpublish")
    assert confirm.status_code == 200 and _published_count(app) == 1
    assert "Unpublish the results of wave 1?" in text_of(confirm)

    done = analyst.submit(f"/admin/results/{survey_id}/unpublish")

    assert done.status_code == 302
    assert _published_count(app) == 0
    assert "are no longer published" in text_of(analyst.get(done.headers["Location"]))


def test_publishing_an_open_wave_from_the_page_is_refused_in_plain_words(app):
    analyst = _analyst(app)
    with app.app_context():
        survey_id = responses.open_survey().id  # type: ignore[union-attr]
    # The page offers no button while the wave is open; a form posted anyway is refused.
    assert "Publish results" not in text_of(analyst.get(f"/admin/results/{survey_id}"))
    analyst.get("/admin/reports")

    refused = analyst.submit(f"/admin/results/{survey_id}/publish")

    assert refused.status_code == 302
    assert "is still open. Results are published after the survey closes" in text_of(
        analyst.get(refused.headers["Location"])
    )
    assert run_jobs(app) == 0 and _published_count(app) == 0


def test_you_said_we_did_entries_are_written_checked_ordered_and_shown(app, runner):
    survey_id = _wave_one(app)
    _publish(runner)
    analyst = _analyst(app)
    new = f"/admin/results/{survey_id}/entries/new"

    analyst.get(new)
    empty = analyst.submit(new, {"you_said": "  ", "we_did": ""})
    assert empty.status_code == 200
    assert error_messages(empty) == [
        "Enter what residents said",
        "Enter what the partnership did or will do",
    ]
    too_long = analyst.submit(new, {"you_said": "x" * 601, "we_did": "Patrols."})
    assert error_messages(too_long) == ["What residents said must be 600 characters or fewer"]
    # A line break counts once, as the character count shows it, though browsers send two.
    fits = "a\r\n" * 299 + "ab"
    assert analyst.submit(new, {"you_said": fits, "we_did": "Patrols."}).status_code == 302
    for said, did in (
        ("You feel unsafe in the underpasses.", "We lit three of them by June."),
        ("You want more patrols <script>at night</script>.", "Evening patrols began in January."),
    ):
        analyst.get(new)
        assert analyst.submit(new, {"you_said": said, "we_did": did}).status_code == 302

    with app.app_context():
        ids = [row.id for row in db.session.scalars(select(YouSaidWeDid).order_by("position"))]
    first, second, third = ids
    edit = f"/admin/results/{survey_id}/entries/{first}"
    analyst.get(edit)
    analyst.submit(edit, {"you_said": "You said the car parks are dark.", "we_did": "New lights."})
    analyst.get(f"/admin/results/{survey_id}")
    analyst.submit(f"/admin/results/{survey_id}/entries/{third}/move", {"direction": "up"})
    analyst.get(f"/admin/results/{survey_id}/entries/{second}/delete")
    analyst.submit(f"/admin/results/{survey_id}/entries/{second}/delete")

    public = app.test_client().get(WAVE_ONE)
    shown = [
        " ".join(li.get_text(" ").split())
        for li in BeautifulSoup(public.get_data(as_text=True), "html.parser").select(
            ".app-you-said__entry"
        )
    ]
    assert shown == [
        "You said You said the car parks are dark. We did New lights.",
        "You said You want more patrols <script>at night</script>. We did Evening patrols began "
        "in January.",
    ]


def test_partners_and_anonymous_visitors_cannot_publish(app):
    survey_id = _wave_one(app)
    make_staff(app)
    anonymous = app.test_client()
    assert anonymous.post(f"/admin/results/{survey_id}/publish").status_code == 302
    partner: PageCheckingClient = app.test_client()  # type: ignore[assignment]
    sign_in(partner, PARTNER_A_EMAIL)
    for path in ("publish", "unpublish", "entries/new"):
        assert partner.post(f"/admin/results/{survey_id}/{path}").status_code == 403
    assert run_jobs(app) == 0 and _published_count(app) == 0


# Residents ---------------------------------------------------------------------------------


def test_the_confirmation_page_links_to_the_results_once_any_are_published(app, runner):
    _wave_one(app)
    with app.app_context():
        setup_data.new_wave(SLUG, open_it=True)
    resident = app.test_client()
    complete_survey(resident)  # type: ignore[arg-type]

    before = resident.get("/confirmation")
    assert before.status_code == 200
    assert 'href="/results"' not in before.get_data(as_text=True)

    _publish(runner, f"{SLUG}:1")

    after = resident.get("/confirmation")
    link = BeautifulSoup(after.get_data(as_text=True), "html.parser").find("a", href="/results")
    assert link is not None
    assert link.get_text(strip=True) == (
        "Read what residents told us in the last survey, and what the partnership is doing about it"
    )


def test_results_pages_are_in_english_without_language_links(app, client, runner):
    _wave_one(app)
    _publish(runner)
    client.get("/s/facebook?lang=pl")  # the resident chose Polish for the survey

    for url in ("/results", WAVE_ONE):
        soup = BeautifulSoup(client.get(url).get_data(as_text=True), "html.parser")
        assert soup.html.get("lang") == "en"
        assert soup.select(".app-language-links") == []


def test_reopening_a_published_wave_takes_its_results_down(app, client, runner):
    _wave_one(app)
    _publish(runner)
    assert client.get(WAVE_ONE).status_code == 200

    reopened = runner.invoke(args=["survey", "open", f"{SLUG}:1"])

    assert reopened.exit_code == 0, reopened.output
    assert "Its published results were taken off /results" in reopened.output
    assert "flask results publish safermk-perceptions:1" in reopened.output
    assert client.get(WAVE_ONE).status_code == 404
    assert _published_count(app) == 0


def test_the_csv_rounds_each_headline_figure_as_the_final_report_does(app, client, runner):
    from reporting.final import build_final_report

    survey_id = _wave_one(app, count=600)
    _publish(runner)
    with app.app_context():
        report = build_final_report(db.engine, survey_id)
    rows = {row["measure"]: row for row in _csv_rows(client, f"{WAVE_ONE}.csv")}
    for indicator in report["weighted_results"]["indicators"]:
        if indicator["kind"] != "headline" or indicator["weighted_share"] is None:
            continue
        row = rows[indicator["label"]]
        assert row["value"] == f"{indicator['weighted_share'] * 100:.1f}", indicator["label"]
        assert row["interval_low"] == f"{indicator['weighted_interval_low'] * 100:.1f}"
        assert row["interval_high"] == f"{indicator['weighted_interval_high'] * 100:.1f}"


def test_a_resident_with_a_session_is_never_sent_a_cacheable_page(app, runner):
    _wave_one(app)
    _publish(runner)
    resident = app.test_client()
    resident.get("/s/age-uk")  # a partner's link starts a session: its cookie comes back
    assert resident.get_cookie(app.config["SESSION_COOKIE_NAME"]) is not None
    for url in ("/results", WAVE_ONE, f"{WAVE_ONE}.csv"):
        assert resident.get(url).headers["Cache-Control"] == "no-store", url
    assert app.test_client().get(WAVE_ONE).headers["Cache-Control"] == "public, max-age=300"
