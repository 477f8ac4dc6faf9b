"""The partner portal: own channels only, counts under 10 hidden, no other partner's figures."""

from __future__ import annotations

import datetime as dt
import io

from bs4 import BeautifulSoup
from pypdf import PdfReader
from sqlalchemy import update

from survey_app.extensions import db
from survey_app.models import Response

from ..helpers import complete_survey, text_of
from .staff_factories import (
    PARTNER_A,
    PARTNER_A_EMAIL,
    PARTNER_B_EMAIL,
    add_submitted_responses,
    channel_id,
    make_staff,
    sign_in,
)


def test_partner_sees_its_own_channel_link_and_not_another_partners(app, client):
    make_staff(app)
    sign_in(client, PARTNER_A_EMAIL)
    page = text_of(client.get("/partner/"))
    assert "Age UK Milton Keynes: your survey channels" in page
    assert "http://localhost/s/age-uk" in page
    assert "mk-college" not in page and "MK College" not in page


def test_weekly_counts_hide_counts_under_ten(app, client):
    make_staff(app)
    # Last week's Monday: partners see figures to the end of yesterday.
    monday = dt.date.today() - dt.timedelta(days=dt.date.today().weekday() + 7)
    add_submitted_responses(app, 12, channel_slug="age-uk", submitted_on=monday)
    add_submitted_responses(app, 3, channel_slug="age-uk", submitted_on=monday - dt.timedelta(7))
    add_submitted_responses(app, 40, channel_slug="mk-college", submitted_on=monday)
    sign_in(client, PARTNER_A_EMAIL)
    page = text_of(client.get("/partner/"))
    assert "fewer than 10" in page
    # With the total shown, the other week is withheld so the hidden 3 cannot be worked out.
    assert "withheld" in page
    assert "Total fewer than 10" not in page and "Total 15" in page  # 15, to the nearest 5
    assert "40" not in page


def test_flagged_groups_show_how_many_the_partners_channels_brought(app, client):
    make_staff(app)
    # Many older respondents elsewhere, so 16-24s are clearly missing; Age UK brought 11 of them.
    add_submitted_responses(app, 400, channel_slug="mk-college", age_band="65_74", sex="female")
    add_submitted_responses(app, 11, channel_slug="age-uk", age_band="16_24", sex="male")
    sign_in(client, PARTNER_A_EMAIL)
    page = text_of(client.get("/partner/"))
    assert "Groups the survey is missing" in page
    assert "Under-represented" in page
    assert "MK College" not in page  # the report's per-channel reach is never shown to partners


def test_partner_downloads_qr_codes_and_an_a4_poster_with_the_link(app, client):
    make_staff(app)
    age_uk = channel_id(app, "age-uk")
    sign_in(client, PARTNER_A_EMAIL)
    assert client.get(f"/partner/channels/{age_uk}").status_code == 200
    png = client.get(f"/channels/{age_uk}/qr.png")
    assert png.mimetype == "image/png" and png.data.startswith(b"\x89PNG")
    svg = client.get(f"/channels/{age_uk}/qr.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    poster = client.get(f"/channels/{age_uk}/poster.pdf")
    assert poster.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(poster.data))
    assert len(reader.pages) == 1
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    assert "http://localhost/s/age-uk" in reader.pages[0].extract_text()


def test_a_resident_through_the_partners_link_is_counted_for_that_partner_only(app, client):
    make_staff(app)
    resident = app.test_client()
    resident.get("/s/age-uk")
    complete_survey(resident)
    _as_if_submitted_yesterday(app)
    sign_in(client, PARTNER_A_EMAIL)
    assert "Total fewer than 10" in text_of(client.get("/partner/"))
    other = app.test_client()
    sign_in(other, PARTNER_B_EMAIL)
    assert "No resident has submitted the survey through your links yet" in text_of(
        other.get("/partner/")
    )


def _as_if_submitted_yesterday(app) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        db.session.execute(
            update(Response).values(submitted_on=dt.date.today() - dt.timedelta(days=1))
        )
        db.session.commit()


def _total(page: str) -> str:
    return page.split("Total ", 1)[1].split(" ", 1)[0]


def test_partners_cannot_work_out_a_small_count_by_adding_their_own(app, client):
    make_staff(app)
    yesterday = dt.date.today() - dt.timedelta(days=1)
    add_submitted_responses(app, 3, channel_slug="age-uk", submitted_on=yesterday)
    sign_in(client, PARTNER_A_EMAIL)
    assert _total(text_of(client.get("/partner/"))) == "fewer"

    # The partner submits 9 of their own: nothing changes today...
    add_submitted_responses(app, 9, channel_slug="age-uk")
    assert _total(text_of(client.get("/partner/"))) == "fewer"
    # ...and tomorrow the 12 show only to the nearest 5.
    _as_if_submitted_yesterday(app)
    assert _total(text_of(client.get("/partner/"))) == "10"


def test_a_group_none_of_the_partners_respondents_belong_to_is_not_shown_as_zero(app, client):
    make_staff(app)
    yesterday = dt.date.today() - dt.timedelta(days=1)
    add_submitted_responses(
        app, 400, channel_slug="mk-college", age_band="65-74", sex="female", submitted_on=yesterday
    )
    add_submitted_responses(
        app, 40, channel_slug="age-uk", age_band="65-74", sex="female", submitted_on=yesterday
    )
    sign_in(client, PARTNER_A_EMAIL)
    response = client.get("/partner/")
    rows = [
        " ".join(row.get_text(" ").split())
        for row in BeautifulSoup(response.get_data(as_text=True), "html.parser").select("tbody tr")
    ]
    male = next(row for row in rows if row.startswith("Sex Male"))
    assert male.endswith("fewer than 10")


def test_partner_with_no_flagged_groups_or_responses_sees_plain_messages(app, client):
    make_staff(app)
    sign_in(client, PARTNER_A_EMAIL)
    page = text_of(client.get("/partner/"))
    assert PARTNER_A in page
    assert "No resident has submitted the survey through your links yet" in page


def test_too_few_responses_to_tell_is_said_rather_than_nobody_missing(app, client):
    make_staff(app)
    add_submitted_responses(app, 3, channel_slug="age-uk", age_band="35_44", sex="female")
    sign_in(client, PARTNER_A_EMAIL)
    page = text_of(client.get("/partner/"))
    assert "not yet enough responses to tell whether any group is under-represented" in page
    assert "No group is flagged" not in page
