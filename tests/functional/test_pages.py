"""Information pages every resident can reach, and the page rules every page keeps."""

from __future__ import annotations

import pytest

from ..helpers import text_of


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/", "Feeling safe in Milton Keynes"),
        ("/privacy", "Privacy notice"),
        ("/accessibility", "Accessibility statement for the SaferMK residents' survey"),
        ("/cookies", "Cookies"),
        ("/too-young", "Thank you for your interest"),
    ],
)
def test_public_page_is_reachable_and_well_formed(client, path, heading):
    page = client.get(path)
    assert page.status_code == 200
    assert heading in text_of(page)


def test_every_page_links_to_privacy_accessibility_and_cookies(client):
    text = text_of(client.get("/"))
    for link in ("Privacy notice", "Accessibility statement", "Cookies"):
        assert link in text


def test_start_page_says_what_why_how_long_and_who(client):
    text = text_of(client.get("/"))
    assert "about 10 minutes" in text
    assert "aged 16 or over" in text
    assert "SaferMK brings together" in text
    assert "do not record your IP address" in text


def test_cookie_page_names_the_one_cookie_used(client):
    client.get("/s/age-uk")
    cookies = {cookie.key for cookie in client._cookies.values()}
    assert cookies == {"session"}
    assert "session" in text_of(client.get("/cookies"))


def test_session_cookie_is_http_only_and_same_site(client):
    cookie = client.get("/s/age-uk").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_resident_pages_are_not_cached(client):
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_missing_page_is_a_friendly_404(client):
    page = client.get("/no-such-thing")
    assert page.status_code == 404
    assert "Page not found" in text_of(page)


def test_wrong_method_is_a_friendly_error(client):
    page = client.post("/privacy")
    assert page.status_code == 405
    assert "problem with that request" in text_of(page)


def test_start_again_without_a_valid_form_changes_nothing(client):
    assert client.post("/start-again").headers["Location"] == "/"
