"""Residents answer in their own language: chosen by a link, kept through the journey and on
resume, every resident page in it, and the response counted with the English ones."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from flask import Flask

from survey_app import languages
from survey_app.languages import TRANSLATIONS_DIR, read_catalog
from survey_app.questionnaire.definition import DEFAULT_DEFINITION
from survey_app.questionnaire.translation import translation_files

from ..helpers import (
    FULL_ANSWERS,
    PageCheckingClient,
    answer_page,
    complete_survey,
    error_messages,
    stored_responses,
    visible_text,
)
from .staff_factories import ANALYST_EMAIL, make_staff, sign_in

PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]+(?::[^}]*)?\}|%%")


@cache
def _translated_english(code: str) -> tuple[str, ...]:
    """Every English fragment (between placeholders, 16 characters or more) whose translation
    into `code` differs: none of them may be left on a page in that language."""
    fragments = set()
    for path in (
        TRANSLATIONS_DIR / code / "LC_MESSAGES" / "messages.po",
        translation_files(DEFAULT_DEFINITION)[code],
    ):
        for message in read_catalog(path):
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for english in ids:
                # Proper names ("Thames Valley Police") are kept, sometimes with a gloss.
                if any(english in str(string) for string in strings):
                    continue
                for fragment in PLACEHOLDER.split(english):
                    # Links' words are wrapped in markup: compare the words a person reads.
                    words = " ".join(BeautifulSoup(fragment, "html.parser").get_text().split())
                    if len(words) >= 16:
                        fragments.add(words)
    return tuple(sorted(fragments))


def english_left(html: str, code: str) -> list[str]:
    text = visible_text(html)
    return [fragment for fragment in _translated_english(code) if fragment in text]


def html_language(html: str) -> tuple[str | None, str | None]:
    soup = BeautifulSoup(html, "html.parser")
    return soup.html.get("lang"), soup.body.get("dir")


def _walk_journey(client: PageCheckingClient, code: str) -> list[str]:
    """Answer every page as FULL_ANSWERS does, checking each page is wholly in `code`; the
    pages seen, in order."""
    seen = []
    response = client.get("/start")
    for _ in range(60):
        location = response.headers.get("Location", "")
        if "/check-answers" in location:
            break
        page = client.get(location)
        html = page.get_data(as_text=True)
        assert html_language(html)[0] == code, location
        assert english_left(html, code) == [], f"{location} has English left"
        seen.append(location)
        page_id = location.removeprefix("/questions/").split("?")[0]
        response = client.submit(location, FULL_ANSWERS.get(page_id, {}))
        assert response.status_code == 302, error_messages(response)
    return seen


@pytest.mark.parametrize("code", ["pl", "ro", "ur"])
def test_a_channel_link_with_a_language_opens_the_whole_survey_in_it(
    app: Flask, client: PageCheckingClient, code: str
) -> None:
    start = client.get(f"/s/age-uk?lang={code}", follow_redirects=True)
    html = start.get_data(as_text=True)

    assert html_language(html) == (code, "rtl" if code == "ur" else None)
    assert english_left(html, code) == []
    pages = _walk_journey(client, code)
    assert len(pages) > 10
    check = client.get("/check-answers")
    assert html_language(check.get_data(as_text=True))[0] == code
    assert english_left(check.get_data(as_text=True), code) == []
    done = client.submit("/check-answers", follow_redirects=True)
    assert html_language(done.get_data(as_text=True))[0] == code
    assert english_left(done.get_data(as_text=True), code) == []

    (response,) = stored_responses(app)
    assert response.status == "submitted"
    assert response.language == code
    assert response.channel.slug == "age-uk"


def test_answers_given_in_polish_are_stored_as_the_same_values_as_in_english(
    app: Flask, client: PageCheckingClient
) -> None:
    english = app.test_client()
    complete_survey(english)
    client.get("/?lang=pl")
    complete_survey(client)

    first, second = stored_responses(app)
    assert (first.language, second.language) == ("en", "pl")
    assert first.answers == second.answers
    assert (first.age_band, first.ethnic_group, first.ward) == (
        second.age_band,
        second.ethnic_group,
        second.ward,
    )


def test_the_polish_error_messages_and_the_error_title(client: PageCheckingClient) -> None:
    client.get("/?lang=pl")
    client.get("/start")
    refused = answer_page(client, "age", {"age": "trzydzieści"})

    assert refused.status_code == 200
    (message,) = error_messages(refused)
    catalog = read_catalog(TRANSLATIONS_DIR / "pl" / "LC_MESSAGES" / "messages.po")
    age_messages = read_catalog(translation_files(DEFAULT_DEFINITION)["pl"])
    expected = age_messages.get(
        "Enter your age as a whole number, like 34",
        context="pages/age/questions/age/messages/number_format",
    )
    assert message == str(expected.string if expected else catalog.get("Enter a number").string)
    title = BeautifulSoup(refused.get_data(as_text=True), "html.parser").title.get_text()
    assert title.startswith(str(catalog.get("Error:").string))
    assert english_left(refused.get_data(as_text=True), "pl") == []


def test_the_language_is_kept_when_the_resident_comes_back(
    app: Flask, client: PageCheckingClient
) -> None:
    client.get("/?lang=ro")
    client.get("/start")
    answer_page(client, "age", {"age": "40"})
    # Their browser forgets the language (say they cleared it), but keeps their answers' link.
    with client.session_transaction() as session:
        session.pop("lang")

    start = client.get("/")
    assert html_language(start.get_data(as_text=True))[0] == "ro"
    assert english_left(start.get_data(as_text=True), "ro") == []


def test_every_resident_page_offers_each_language_named_in_itself(
    client: PageCheckingClient,
) -> None:
    for path in ("/", "/privacy", "/accessibility", "/cookies", "/too-young"):
        soup = BeautifulSoup(client.get(path).get_data(as_text=True), "html.parser")
        nav = soup.select_one("nav.app-language-links")
        assert nav is not None, path
        links = {a["lang"]: (a.get_text(), a["href"]) for a in nav.select("a")}
        assert links["pl"][0] == "Polski"
        assert links["ro"][0] == "Română"
        assert links["ur"][0] == "اردو"
        assert all(href.endswith(f"lang={code}") for code, (_, href) in links.items())
        # The page's own language is named, not linked.
        assert nav.select_one("[aria-current]").get_text() == "English"


def test_a_language_link_on_a_question_page_keeps_the_resident_there(
    client: PageCheckingClient,
) -> None:
    client.get("/start")
    answer_page(client, "age", {"age": "40"})
    page = client.get("/questions/feeling-safe")
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    polish = soup.select_one("nav.app-language-links a[lang=pl]")["href"]

    in_polish = client.get(polish)

    assert in_polish.status_code == 200
    assert html_language(in_polish.get_data(as_text=True))[0] == "pl"
    assert english_left(in_polish.get_data(as_text=True), "pl") == []


def test_an_incomplete_language_is_never_offered(
    app: Flask, client: PageCheckingClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A Polish interface catalogue with one text not yet translated.
    polish = (TRANSLATIONS_DIR / "pl" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    incomplete = tmp_path / "pl" / "LC_MESSAGES" / "messages.po"
    incomplete.parent.mkdir(parents=True)
    translated_back = re.sub(r'(msgid "Back"\nmsgstr )"[^"]*"', r'\1""', polish)
    assert translated_back != polish
    incomplete.write_text(translated_back, encoding="utf-8")
    monkeypatch.setattr(languages, "TRANSLATIONS_DIR", tmp_path)
    languages.interface_catalogues.cache_clear()
    try:
        page = client.get("/s/age-uk?lang=pl", follow_redirects=True)
        html = page.get_data(as_text=True)
        assert html_language(html)[0] == "en"
        assert 'lang="pl"' not in html
    finally:
        languages.interface_catalogues.cache_clear()


def test_staff_pages_stay_in_english(app: Flask, client: PageCheckingClient) -> None:
    make_staff(app)
    client.get("/?lang=pl")
    sign_in(client, ANALYST_EMAIL)

    dashboard = client.get("/admin/dashboard")
    assert html_language(dashboard.get_data(as_text=True))[0] == "en"
    assert "app-language-links" not in dashboard.get_data(as_text=True)
    languages_page = client.get("/admin/languages")
    text = visible_text(languages_page.get_data(as_text=True))
    assert "Polish ( Polski ) Offered Complete Complete Awaiting review" in text


def test_the_page_not_found_is_in_the_residents_language(client: PageCheckingClient) -> None:
    client.get("/?lang=pl")
    missing = client.get("/no-such-page")

    assert missing.status_code == 404
    assert html_language(missing.get_data(as_text=True))[0] == "pl"
    assert english_left(missing.get_data(as_text=True), "pl") == []


def test_a_language_code_that_is_not_offered_is_ignored(client: PageCheckingClient) -> None:
    for code in ("de", "xx", "../../etc", "PL"):
        page = client.get(f"/?lang={code}")
        assert page.status_code == 200
        assert html_language(page.get_data(as_text=True))[0] == ("pl" if code == "PL" else "en")


@pytest.mark.parametrize(
    "query",
    [
        "endpoint=x",
        "_method=DELETE",
        "_scheme=javascript&_anchor=%0Aalert(1)",
        "_external=1",
        "page_id=other&change=1",
    ],
)
def test_no_query_string_can_break_or_redirect_the_language_links(
    client: PageCheckingClient, query: str
) -> None:
    client.get("/start")
    answer_page(client, "age", {"age": "40"})
    for path in ("/privacy", "/", "/questions/feeling-safe", "/no-such-page"):
        page = client.get(f"{path}?{query}")
        assert page.status_code in (200, 404), path
        soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
        hrefs = [a["href"] for a in soup.select("nav.app-language-links a")]
        assert len(hrefs) == 3, path
        own = "/" if path == "/no-such-page" else path
        for href in hrefs:
            assert href.startswith(f"{own}?"), href
            assert set(href.split("?", 1)[1].split("&")) <= {
                "change=1",
                *[f"lang={c}" for c in ("en", "pl", "ro", "ur")],
            }
    # Whatever the first visitor sent, the page every resident is then served links home.
    fresh = client.get("/questions/feeling-safe")
    assert "javascript" not in fresh.get_data(as_text=True)
    assert "endpoint=" not in fresh.get_data(as_text=True)
