"""The analyst's dashboard counts responses by language; the partner portal never does."""

from __future__ import annotations

from bs4 import BeautifulSoup, Tag

from ..helpers import text_of
from .staff_factories import (
    ANALYST_EMAIL,
    PARTNER_A_EMAIL,
    add_submitted_responses,
    make_staff,
    sign_in,
)


def _language_rows(html: str) -> list[list[str]]:
    soup = BeautifulSoup(html, "html.parser")
    caption = soup.find("caption", string=lambda text: text and "Responses by language" in text)
    assert isinstance(caption, Tag), "no table of responses by language"
    table = caption.find_parent("table")
    assert isinstance(table, Tag)
    return [
        [" ".join(cell.get_text(" ").split()) for cell in row.find_all(["th", "td"])]
        for row in table.select("tbody tr")
    ]


def test_dashboard_counts_responses_by_language_small_counts_included(app, client):
    make_staff(app)
    sign_in(client, ANALYST_EMAIL)
    add_submitted_responses(app, 20, channel_slug="age-uk")  # English, the default
    add_submitted_responses(app, 12, channel_slug="age-uk", language="pl")
    add_submitted_responses(app, 3, language="ur")

    page = client.get("/admin/dashboard")

    # The analyst sees every count, as elsewhere on the dashboard: Urdu's 3 too. Shares of 35.
    assert _language_rows(page.get_data(as_text=True)) == [
        ["English", "20", "57.1%"],
        ["Polish", "12", "34.3%"],
        ["Urdu", "3", "8.6%"],
    ]


def test_dashboard_says_in_one_line_when_every_response_is_in_english(app, client):
    make_staff(app)
    sign_in(client, ANALYST_EMAIL)
    add_submitted_responses(app, 4, channel_slug="age-uk")

    page = client.get("/admin/dashboard")

    assert "All responses so far were given in English." in text_of(page)
    assert "Responses by language" not in page.get_data(as_text=True)


def test_partner_portal_shows_no_counts_by_language(app, client):
    make_staff(app)
    add_submitted_responses(app, 30, channel_slug="age-uk", language="pl")
    add_submitted_responses(app, 3, channel_slug="age-uk", language="ur")
    sign_in(client, PARTNER_A_EMAIL)

    page = text_of(client.get("/partner/"))

    assert "Polish" not in page and "Urdu" not in page
    assert "by language" not in page.lower()
