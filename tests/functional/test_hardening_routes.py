"""Findings of a security probe, each kept fixed: answers and ids no one would type, a password
link shown on the wrong person's page, and 405 answers that did not say what is allowed."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import User

from ..helpers import (
    PageCheckingClient,
    answer_page,
    error_messages,
    stored_responses,
    text_of,
)
from .staff_factories import (
    ANALYST_EMAIL,
    PARTNER_A_EMAIL,
    channel_id,
    make_staff,
    sign_in,
)

SET_PASSWORD_LINK = re.compile(r"http://localhost/set-password/[^<\s]+")


def user_id(app: Flask, email: str) -> int:
    with app.app_context():
        return db.session.scalars(select(User.id).where(User.email == email)).one()


def signed_in(app: Flask, email: str) -> PageCheckingClient:
    client: PageCheckingClient = app.test_client()  # type: ignore[assignment]
    assert sign_in(client, email).status_code == 302
    return client


def session_cookie(app: Flask, client: PageCheckingClient) -> dict[str, object]:
    """What the browser holds in its session cookie: signed, so anyone holding it can read it."""
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    return app.session_interface.get_signing_serializer(app).loads(cookie.value)  # type: ignore[attr-defined]


# Numbers too long to type --------------------------------------------------------------------


def test_an_age_padded_beyond_pythons_digit_limit_gets_the_questions_message(app, client):
    client.get("/start")
    # int() refuses strings of more than 4,300 digits; 5,000 zeros reach that limit.
    page = answer_page(client, "age", {"age": "0" * 5000 + "35"})

    assert page.status_code == 200
    assert error_messages(page) == ["Enter your age as a whole number, like 34"]
    assert stored_responses(app) == []


def test_an_age_with_a_leading_zero_is_still_understood(app, client):
    client.get("/start")
    assert answer_page(client, "age", {"age": "035"}).status_code == 302
    assert stored_responses(app)[0].answers["age"] == 35


# Ids no row can have -------------------------------------------------------------------------

# Just past PostgreSQL's integer (the id columns' type), just past a 64-bit integer (SQLite's),
# and a number of the kind the probe used.
IMPOSSIBLE_IDS = (2**31, 2**63, 99999999999999999999)

# Who may use each kind of route with an id, so the 404 is the lookup's, not the access check's.
VISITORS_BY_PREFIX = {
    "/admin/": (ANALYST_EMAIL,),
    "/partner/": (PARTNER_A_EMAIL,),
    "/channels/": (ANALYST_EMAIL, PARTNER_A_EMAIL),
    # Published results: anyone, signed in or not (None: a visitor who is not signed in).
    "/results/": (None, ANALYST_EMAIL),
}


def rules_with_an_id(app: Flask) -> list[tuple[str, str]]:
    """Every route taking an <int:...> part, with the method it answers."""
    found = []
    for rule in app.url_map.iter_rules():
        if "<int:" in rule.rule:
            method = "GET" if "GET" in (rule.methods or ()) else "POST"
            found.append((method, rule.rule))
    return sorted(found)


@pytest.mark.parametrize("huge", IMPOSSIBLE_IDS)
def test_every_route_with_an_id_answers_not_found_for_an_id_no_row_can_have(app, huge):
    make_staff(app)
    rules = rules_with_an_id(app)
    assert len(rules) >= 11
    clients: dict[str | None, PageCheckingClient] = {
        email: signed_in(app, email) for email in (ANALYST_EMAIL, PARTNER_A_EMAIL)
    }
    clients[None] = app.test_client()
    # A page with a form, so POSTs carry a valid CSRF token and reach the lookup.
    clients[ANALYST_EMAIL].get("/admin/channels/new")
    wrong = []
    for method, rule in rules:
        prefix = next((p for p in VISITORS_BY_PREFIX if rule.startswith(p)), None)
        assert prefix is not None, f"{rule}: add who may use it to VISITORS_BY_PREFIX"
        url = re.sub(r"<int:\w+>", str(huge), rule)
        for email in VISITORS_BY_PREFIX[prefix]:
            client = clients[email]
            response = client.get(url) if method == "GET" else client.submit(url)
            if response.status_code != 404:
                wrong.append(f"{method} {url} as {email}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_real_ids_are_still_found_next_to_impossible_ones(app):
    make_staff(app)
    analyst = signed_in(app, ANALYST_EMAIL)
    a = channel_id(app, "age-uk")
    assert analyst.get(f"/admin/channels/{a}").status_code == 200
    assert analyst.get(f"/channels/{a}/qr.svg").status_code == 200
    assert analyst.get(f"/admin/users/{user_id(app, PARTNER_A_EMAIL)}/link").status_code == 200
    assert signed_in(app, PARTNER_A_EMAIL).get(f"/partner/channels/{a}").status_code == 200


@pytest.mark.parametrize("chosen", [str(2**31), "9" * 20, "0" * 5000 + "1", "²"])
def test_a_partner_chosen_by_an_impossible_id_gets_the_forms_message(app, chosen):
    make_staff(app)
    analyst = signed_in(app, ANALYST_EMAIL)
    analyst.get("/admin/users/new")
    page = analyst.submit(
        "/admin/users/new",
        {"email": "someone@partner.example", "role": "partner", "partner_id": chosen},
    )

    assert page.status_code == 200
    assert error_messages(page) == ["Select the partner they work for"]


# The set-password link ------------------------------------------------------------------------


def _create_analyst(client: PageCheckingClient, email: str) -> str:
    client.get("/admin/users/new")
    response = client.submit("/admin/users/new", {"email": email, "role": "analyst"})
    assert response.status_code == 302
    return response.headers["Location"]


def test_a_new_users_link_is_not_shown_on_another_users_page(app):
    make_staff(app)
    analyst = signed_in(app, ANALYST_EMAIL)
    _create_analyst(analyst, "new.analyst@safermk.example")

    other = analyst.get(f"/admin/users/{user_id(app, PARTNER_A_EMAIL)}/link")

    assert other.status_code == 200
    assert "/set-password/" not in other.get_data(as_text=True)
    assert "Link to set a password" not in text_of(other)


def test_a_new_link_is_shown_on_its_users_page_only_once(app):
    make_staff(app)
    analyst = signed_in(app, ANALYST_EMAIL)
    partner = user_id(app, PARTNER_A_EMAIL)
    analyst.get(f"/admin/users/{partner}/link")
    made = analyst.submit(f"/admin/users/{partner}/new-link")
    assert made.headers["Location"] == f"/admin/users/{partner}/link"

    # Another user's page, opened first, shows nothing and uses the link up: it is not shown later.
    assert "/set-password/" not in analyst.get(
        f"/admin/users/{user_id(app, ANALYST_EMAIL)}/link"
    ).get_data(as_text=True)
    assert "/set-password/" not in analyst.get(made.headers["Location"]).get_data(as_text=True)

    analyst.submit(f"/admin/users/{partner}/new-link")
    shown = analyst.get(made.headers["Location"])
    assert SET_PASSWORD_LINK.search(shown.get_data(as_text=True)), text_of(shown)
    assert PARTNER_A_EMAIL in text_of(shown)
    assert "/set-password/" not in analyst.get(made.headers["Location"]).get_data(as_text=True)


def test_the_link_never_sits_in_the_session_cookie(app):
    make_staff(app)
    analyst = signed_in(app, ANALYST_EMAIL)
    location = _create_analyst(analyst, "new.analyst@safermk.example")

    assert "set-password" not in repr(session_cookie(app, analyst))
    page = analyst.get(location).get_data(as_text=True)
    link = SET_PASSWORD_LINK.search(page)
    assert link
    token = link.group(0).rsplit("/", 1)[1]
    assert token not in repr(session_cookie(app, analyst))

    # The link shown works.
    newcomer: PageCheckingClient = app.test_client()  # type: ignore[assignment]
    path = link.group(0).removeprefix("http://localhost")
    newcomer.get(path)
    password = "a long and new passphrase"
    newcomer.submit(path, {"password": password, "confirm_password": password})
    assert sign_in(newcomer, "new.analyst@safermk.example", password).status_code == 302


def test_making_a_new_link_stops_the_earlier_one_before_the_new_one_is_shown(app):
    make_staff(app)
    analyst = signed_in(app, ANALYST_EMAIL)
    location = _create_analyst(analyst, "new.analyst@safermk.example")
    first = SET_PASSWORD_LINK.search(analyst.get(location).get_data(as_text=True))
    assert first

    analyst.submit(location.replace("/link", "/new-link"))  # the new link's page is not opened

    newcomer: PageCheckingClient = app.test_client()  # type: ignore[assignment]
    page = newcomer.get(first.group(0).removeprefix("http://localhost"))
    assert "This link has expired or has been used" in text_of(page)


# 405 answers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    [("GET", "/start-again", {"POST"}), ("POST", "/privacy", {"GET", "HEAD"})],
)
def test_a_method_not_allowed_answer_says_which_methods_are(client, method, url, allowed):
    response = client.open(url, method=method)

    assert response.status_code == 405
    assert allowed <= {m.strip() for m in response.headers.get("Allow", "").split(",")}
    assert "Sorry, there is a problem with that request" in text_of(response)


def test_a_staff_route_says_which_methods_it_allows(app):
    make_staff(app)
    analyst = signed_in(app, ANALYST_EMAIL)
    response = analyst.get(f"/admin/users/{user_id(app, ANALYST_EMAIL)}/new-link")

    assert response.status_code == 405
    assert "POST" in response.headers.get("Allow", "")
