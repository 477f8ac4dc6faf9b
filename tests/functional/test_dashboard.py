"""The analyst's pages: the live dashboard, channels, partners and users, reports and exports."""

from __future__ import annotations

import datetime as dt
import re

from bs4 import BeautifulSoup
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Channel, Response

from ..helpers import answer_page, complete_survey, error_messages, run_jobs, text_of
from .staff_factories import (
    ANALYST_EMAIL,
    PARTNER_A,
    add_submitted_responses,
    channel_id,
    make_staff,
    partner_id,
    sign_in,
)


def _analyst(app, client):  # type: ignore[no-untyped-def]
    make_staff(app)
    sign_in(client, ANALYST_EMAIL)
    return client


def test_dashboard_shows_responses_by_day_channel_and_partner(app, client):
    _analyst(app, client)
    add_submitted_responses(app, 12, channel_slug="age-uk")
    add_submitted_responses(app, 3, channel_slug="mk-college")
    page = text_of(client.get("/admin/dashboard"))
    assert "Survey dashboard" in page
    assert re.search(r"Age UK Milton Keynes Age UK Milton Keynes 12 12", page)
    assert "15 started, 15 submitted (100%)" in page


def test_dashboard_funnel_counts_pages_reached_by_unfinished_responses(app, client):
    resident = app.test_client()
    complete_survey(resident, submit=False)
    _analyst(app, client)
    page = text_of(client.get("/admin/dashboard"))
    assert "1 started, 0 submitted (0%)" in page
    assert "1. Your age 1 100%" in page


def test_the_funnel_counts_each_page_once_per_resident_who_reached_it(app, client):
    finished, halfway, barely = app.test_client(), app.test_client(), app.test_client()
    complete_survey(finished)
    for resident in (halfway, barely):
        resident.get("/start")
        answer_page(resident, "age", {"age": "52"})
    for after_dark in ("very_safe", "fairly_safe"):  # answered, then changed: reached once
        answer_page(
            halfway, "feeling-safe", {"safe_after_dark": after_dark, "safe_during_day": "very_safe"}
        )
    _analyst(app, client)
    page = text_of(client.get("/admin/dashboard"))
    assert "3 started, 1 submitted (33%)" in page
    assert "1. Your age 3 100%" in page
    assert "2. Feeling safe 2 67%" in page
    assert "3. Crime in your local area 1 33%" in page


def test_dashboard_shows_which_channels_reach_the_missing_groups(app, client):
    _analyst(app, client)
    add_submitted_responses(app, 400, channel_slug="mk-college", age_band="65-74", sex="female")
    add_submitted_responses(app, 30, channel_slug="age-uk", age_band="16-24", sex="female")
    add_submitted_responses(app, 10, channel_slug="age-uk", age_band="65-74", sex="male")
    response = client.get("/admin/dashboard")
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    table = soup.find("caption", string=re.compile("channels that reach them best")).parent
    row = next(tr for tr in table.select("tbody tr") if "Age: 16 to 24" in tr.get_text())
    assert "Under-represented" in row.get_text()
    # 30 of Age UK's 40 responses are 16-24s: the channel that reaches them best.
    assert "Age UK Milton Keynes: 75.0% (30 of 40)" in " ".join(row.get_text(" ").split())


def test_dashboard_numbers_have_thousands_separators_and_dates_read_as_words(app, client):
    _analyst(app, client)
    day = dt.date(2026, 10, 20)
    add_submitted_responses(app, 1200, channel_slug="age-uk", submitted_on=day)
    page = text_of(client.get("/admin/dashboard"))
    assert "1,200 started, 1,200 submitted" in page
    assert "Tuesday 20 October 2026 1,200" in page
    assert "1200" not in page


def test_the_funnel_names_each_ethnic_background_page(app, client):
    _analyst(app, client)
    page = text_of(client.get("/admin/dashboard"))
    assert "Ethnic background: White (some residents)" in page
    assert "Ethnic background: Asian or Asian British (some residents)" in page


def test_dashboard_lists_untagged_responses_unknown_links_and_dormant_channels(app, client):
    resident = app.test_client()
    resident.get("/s/no-such-channel")
    complete_survey(resident)
    add_submitted_responses(app, 2)
    add_submitted_responses(
        app, 1, channel_slug="age-uk", submitted_on=dt.date.today() - dt.timedelta(days=30)
    )
    _analyst(app, client)
    page = text_of(client.get("/admin/dashboard"))
    assert "2 submitted responses came without a channel link" in page
    assert "/s/no-such-channel 1" in page
    assert "Age UK Milton Keynes (Age UK Milton Keynes)" in page  # dormant: nothing in 7 days


def test_analyst_creates_a_channel_and_its_link_counts_a_resident(app, client):
    _analyst(app, client)
    client.get("/admin/channels/new")
    response = client.submit(
        "/admin/channels/new",
        {
            "partner_id": str(partner_id(app, PARTNER_A)),
            "name": "Estate posters",
            "slug": "AgeUK-Posters",
        },
    )
    new_id = channel_id(app, "ageuk-posters")
    assert response.headers["Location"] == f"/admin/channels/{new_id}"
    assert "http://localhost/s/ageuk-posters" in text_of(client.get(f"/admin/channels/{new_id}"))
    resident = app.test_client()
    resident.get("/s/ageuk-posters")
    complete_survey(resident)
    assert "Submitted responses 1" in text_of(client.get(f"/admin/channels/{new_id}"))


def test_new_channel_errors_link_to_their_fields(app, client):
    _analyst(app, client)
    client.get("/admin/channels/new")
    response = client.submit(
        "/admin/channels/new", {"partner_id": "", "name": "", "slug": "age-uk"}
    )
    assert error_messages(response) == ["Select the partner", "Enter what the channel is"]
    client.get("/admin/channels/new")
    response = client.submit(
        "/admin/channels/new",
        {"partner_id": str(partner_id(app, PARTNER_A)), "name": "Again", "slug": "age-uk"},
    )
    assert error_messages(response) == ["There is already a channel with the short name age-uk"]


def test_a_partners_channels_each_have_their_own_name(app, client, runner):
    _analyst(app, client)
    age_uk_partner = str(partner_id(app, PARTNER_A))
    client.get("/admin/channels/new")
    response = client.submit(
        "/admin/channels/new",
        {"partner_id": age_uk_partner, "name": "age uk  milton keynes", "slug": "age-uk-2"},
    )
    assert error_messages(response) == [
        "Age UK Milton Keynes already has a channel called age uk milton keynes"
    ]
    client.submit(
        "/admin/channels/new",
        {"partner_id": age_uk_partner, "name": "Lunch clubs", "slug": "age-uk-lunch"},
    )
    lunch = channel_id(app, "age-uk-lunch")
    client.get(f"/admin/channels/{lunch}")
    response = client.submit(f"/admin/channels/{lunch}/rename", {"name": "Age UK Milton Keynes"})
    assert error_messages(response) == [
        "Age UK Milton Keynes already has a channel called Age UK Milton Keynes"
    ]
    # Moving a channel to a partner that already has one of that name is refused too.
    college_lunch = runner.invoke(
        args=[
            "channels",
            "add",
            "college-lunch",
            "--partner",
            "MK College",
            "--name",
            "Lunch clubs",
        ]
    )
    assert college_lunch.exit_code == 0, college_lunch.output
    response = client.submit(
        f"/admin/channels/{lunch}/move", {"partner_id": str(partner_id(app, "MK College"))}
    )
    assert error_messages(response) == ["MK College already has a channel called Lunch clubs"]
    # The command line keeps the same rule.
    taken = runner.invoke(
        args=["channels", "add", "age-uk-3", "--partner", PARTNER_A, "--name", "Lunch clubs"]
    )
    assert taken.exit_code != 0 and "already has a channel called Lunch clubs" in taken.output


def test_rename_move_and_archive_keep_the_channels_responses(app, client):
    _analyst(app, client)
    add_submitted_responses(app, 4, channel_slug="age-uk")
    age_uk = channel_id(app, "age-uk")
    client.get(f"/admin/channels/{age_uk}")
    client.submit(f"/admin/channels/{age_uk}/rename", {"name": "Age UK lunch clubs"})
    client.submit(
        f"/admin/channels/{age_uk}/move", {"partner_id": str(partner_id(app, "MK College"))}
    )
    client.submit(f"/admin/channels/{age_uk}/archive")
    with app.app_context():
        channel = db.session.get(Channel, age_uk)
        assert (channel.name, channel.partner.name, channel.archived) == (
            "Age UK lunch clubs",
            "MK College",
            True,
        )
        tagged = db.session.scalars(select(Response).where(Response.channel_id == age_uk)).all()
        assert len(tagged) == 4
    assert "Archived channels" in text_of(client.get("/admin/channels"))
    # An archived channel's link still tags the response.
    resident = app.test_client()
    resident.get("/s/age-uk")
    complete_survey(resident)
    with app.app_context():
        assert (
            db.session.scalar(
                select(Response.channel_id)
                .where(Response.status == "submitted")
                .order_by(Response.id.desc())
            )
            == age_uk
        )


def test_analyst_adds_a_partner_and_a_partner_user_who_can_then_sign_in(app, client):
    _analyst(app, client)
    client.get("/admin/partners")
    client.submit("/admin/partners", {"name": "Bletchley Housing"})
    new_partner = partner_id(app, "Bletchley Housing")
    client.get(f"/admin/users/new?partner={new_partner}")
    response = client.submit(
        "/admin/users/new",
        {"email": "estate@bletchley.example", "role": "partner", "partner_id": str(new_partner)},
    )
    page = client.get(response.headers["Location"])
    link = re.search(r"http://localhost(/set-password/[^<\s]+)", page.get_data(as_text=True))
    assert link, text_of(page)
    # Shown once only.
    assert "/set-password/" not in client.get(response.headers["Location"]).get_data(as_text=True)

    partner = app.test_client()
    partner.get(link.group(1))
    password = "bletchley estates noticeboard"
    partner.submit(link.group(1), {"password": password, "confirm_password": password})
    assert sign_in(partner, "estate@bletchley.example", password).headers["Location"] == "/partner/"
    assert "Bletchley Housing: your survey channels" in text_of(partner.get("/partner/"))


def test_a_partner_user_needs_a_partner(app, client):
    _analyst(app, client)
    client.get("/admin/users/new")
    response = client.submit("/admin/users/new", {"email": "x@y.example", "role": "partner"})
    assert error_messages(response) == ["Select the partner they work for"]


def test_a_report_made_through_one_server_is_downloaded_through_another(
    app, client, make_app, tmp_path
):
    """Two servers share the database, not a disk: each has its own instance folder here."""
    app.instance_path = str(tmp_path / "one")
    _analyst(app, client)
    add_submitted_responses(app, 12, channel_slug="age-uk")
    client.get("/admin/reports")
    response = client.submit("/admin/reports/generate", {"kind": "interim"})
    job_page = response.headers["Location"]
    assert run_jobs(app) == 1

    other = make_app()
    other.instance_path = str(tmp_path / "two")
    elsewhere = other.test_client()
    sign_in(elsewhere, ANALYST_EMAIL)
    page = elsewhere.get(job_page).get_data(as_text=True)
    names = set(re.findall(r'/admin/reports/files/([^"]+)"', page))
    assert {name.rsplit(".", 1)[1] for name in names} == {"html", "pdf", "json", "xlsx"}
    pdf = next(name for name in names if name.endswith(".pdf"))
    download = elsewhere.get(f"/admin/reports/files/{pdf}")
    body = download.get_data()
    assert body.startswith(b"%PDF") and len(body) == int(download.headers["Content-Length"])
    assert not (tmp_path / "one" / "reports").exists()


def test_a_file_larger_than_a_chunk_comes_back_whole(app, monkeypatch):
    from survey_app.admin import report_files

    monkeypatch.setattr(report_files, "CHUNK_BYTES", 1000)
    add_submitted_responses(app, 40, channel_slug="age-uk")
    with app.test_request_context():
        (name, _dictionary) = report_files.generate_export("csv", None, free_text=False)
        stored = report_files.stored_file(name)
        assert stored is not None and stored.size > 3000
        whole = b"".join(report_files.file_bytes(stored.id))
    assert len(whole) == stored.size and whole.count(b"\n") == 41


def test_staff_form_posted_without_its_token_changes_nothing(app, client):
    _analyst(app, client)
    client.get("/admin/channels/new")
    forged = client.post(
        "/admin/channels/new",
        data={"partner_id": str(partner_id(app, PARTNER_A)), "name": "Forged", "slug": "forged"},
    )
    assert forged.status_code < 500
    with app.app_context():
        assert db.session.scalars(select(Channel).where(Channel.slug == "forged")).first() is None
