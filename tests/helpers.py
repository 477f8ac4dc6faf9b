"""A test client that checks every page it fetches, and a resident who fills in the survey."""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache
from typing import Any

import html5lib
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.test import TestResponse

from benchmarks import residents
from survey_app.extensions import db
from survey_app.languages import TRANSLATIONS_DIR, read_catalog
from survey_app.models import Response

# One set of answers leading through every page of the default survey, victim path included,
# shared with the benchmarks' virtual residents.
FULL_ANSWERS = residents.FULL_ANSWERS


class PageCheckError(AssertionError):
    pass


# Tags the service writes itself and character references: seen as text, they mean some markup
# was escaped once too often. (A resident's own "<script>" shown back as text is not among them.)
MARKUP_AS_TEXT = re.compile(
    r"</?\s*(?:br|strong|span|p|a|b|em|i|div|ul|ol|li|h[1-6]|code|table|tr|td|th|abbr|small)"
    r"(?:\s[^>]*)?/?>"
    r"|&(?:lt|gt|amp|quot|apos|nbsp|#\d+|#x[0-9a-f]+);",
    re.IGNORECASE,
)


def visible_text(html: str) -> str:
    """The text a person sees (the title included): no scripts, styles or attribute values."""
    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup.find_all(["script", "style", "template"]):
        hidden.decompose()
    return " ".join(soup.get_text(" ").split())


def markup_shown_as_text(html: str) -> list[str]:
    return MARKUP_AS_TEXT.findall(visible_text(html))


@cache
def error_prefix(language: str) -> str:
    """The title's "Error:" in the page's language, as its catalogue words it."""
    if language == "en":
        return "Error:"
    catalogue = TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po"
    message = read_catalog(catalogue).get("Error:")
    return str(message.string) if message is not None and message.string else "Error:"


def check_page(response: TestResponse) -> None:
    """The rules every HTML page keeps: valid HTML, one h1, title starting with it, unique ids,
    and no markup shown to the reader as text."""
    html = response.get_data(as_text=True)
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    try:
        parser.parse(html)
    except html5lib.html5parser.ParseError as error:
        raise PageCheckError(f"{response.request.path}: invalid HTML: {error}") from None
    soup = BeautifulSoup(html, "html.parser")
    headings = soup.find_all("h1")
    if len(headings) != 1:
        raise PageCheckError(f"{response.request.path}: {len(headings)} h1 elements, not 1")
    heading = " ".join(headings[0].get_text().split())
    title = " ".join(soup.title.get_text().split()) if soup.title else ""
    html_tag = soup.find("html")
    error = error_prefix(str(html_tag.get("lang", "en")) if html_tag else "en")
    if not (title.startswith(heading) or title.startswith(f"{error} {heading}")):
        raise PageCheckError(
            f"{response.request.path}: title {title!r} does not begin with the h1 {heading!r}"
        )
    has_errors = soup.select_one(".govuk-error-summary") is not None
    if has_errors != title.startswith(f"{error} "):
        raise PageCheckError(
            f"{response.request.path}: 'Error: ' title prefix should be "
            f"{'present' if has_errors else 'absent'}"
        )
    ids = Counter(tag["id"] for tag in soup.find_all(id=True))
    duplicates = [name for name, count in ids.items() if count > 1]
    if duplicates:
        raise PageCheckError(f"{response.request.path}: duplicate ids {duplicates}")
    shown = markup_shown_as_text(html)
    if shown:
        raise PageCheckError(f"{response.request.path}: markup shown as text: {shown}")
    for link in soup.select(".govuk-error-summary a[href^='#']"):
        if not soup.find(id=link["href"][1:]):
            raise PageCheckError(
                f"{response.request.path}: error link {link['href']} points at nothing"
            )


class PageCheckingClient(FlaskClient):
    """Checks every HTML page it receives, and remembers the last form's CSRF token."""

    csrf_token: str | None = None
    # Off only where many journeys are made only to be counted; every page is checked elsewhere.
    check_pages = True

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        response = super().open(*args, **kwargs)
        if response.mimetype == "text/html" and response.status_code != 302:
            if self.check_pages:
                check_page(response)
            match = re.search(
                r'name="csrf_token" type="hidden" value="([^"]+)"', response.get_data(as_text=True)
            )
            if match:
                self.csrf_token = match.group(1)
        return response

    def submit(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> TestResponse:
        """POST as a browser would: with the CSRF token from the page last shown."""
        form = dict(data or {})
        form.setdefault("csrf_token", self.csrf_token or "")
        return self.post(url, data=form, **kwargs)


def text_of(response: TestResponse) -> str:
    return " ".join(
        BeautifulSoup(response.get_data(as_text=True), "html.parser").get_text(" ").split()
    )


def error_messages(response: TestResponse) -> list[str]:
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return [" ".join(a.get_text().split()) for a in soup.select(".govuk-error-summary__list a")]


def input_value(response: TestResponse, name: str) -> str | list[str] | None:
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    field = soup.find("textarea", attrs={"name": name})
    if field is not None:
        return field.get_text().lstrip("\n")
    checked = [
        i["value"]
        for i in soup.find_all("input", attrs={"name": name})
        if i.get("type") in ("radio", "checkbox") and i.has_attr("checked")
    ]
    if checked:
        return checked if len(checked) > 1 else checked[0]
    text_input = soup.find("input", attrs={"name": name, "type": ["text", None]})
    return text_input.get("value") if text_input is not None else None


def answer_page(
    client: PageCheckingClient, page_id: str, data: dict[str, Any] | None = None, **kwargs: Any
) -> TestResponse:
    client.get(f"/questions/{page_id}", **kwargs)
    return client.submit(f"/questions/{page_id}", data or {}, **kwargs)


def complete_survey(
    client: PageCheckingClient,
    answers: dict[str, dict[str, Any]] | None = None,
    *,
    submit: bool = True,
) -> TestResponse:
    """Follow the survey from wherever the resident is, answering from `answers`."""
    answers = FULL_ANSWERS if answers is None else answers
    response = client.get("/start")
    for _ in range(60):
        location = response.headers.get("Location", "")
        if "/check-answers" in location or "/confirmation" in location:
            break
        if not location.startswith("/questions/"):
            raise AssertionError(f"unexpected redirect to {location!r}")
        page_id = location.removeprefix("/questions/").split("?")[0]
        client.get(location)
        response = client.submit(location, answers.get(page_id, {}))
        assert response.status_code == 302, (
            f"{page_id} was not accepted: {error_messages(response)}"
        )
    check = client.get("/check-answers")
    if not submit:
        return check
    return client.submit("/check-answers")


def stored_responses(app: Flask) -> list[Response]:
    """Every response in the database, read afresh (and detached, so safe to inspect)."""
    with app.app_context():
        rows = list(
            db.session.scalars(
                select(Response).options(selectinload(Response.channel)).order_by(Response.id)
            )
        )
        db.session.expunge_all()
    return rows


def open_a_new_version(app: Flask) -> None:
    """Load version 2 of the default questionnaire and open it (closing version 1)."""
    from survey_app import setup_data
    from survey_app.questionnaire import Questionnaire
    from survey_app.questionnaire.definition import DEFAULT_DEFINITION

    definition = json.loads(DEFAULT_DEFINITION.read_text())
    definition["version"] = 2
    with app.app_context():
        setup_data.load_survey(Questionnaire(definition), open_it=True)


def run_jobs(app: Flask) -> int:
    """Run the reports and exports that requests queued, as the background worker would;
    returns how many ran."""
    ran: int = app.extensions["jobs"].run_pending()
    return ran
