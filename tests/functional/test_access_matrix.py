"""Every route against every kind of visitor: anonymous, partner A, partner B and the analyst.

A new route fails `test_every_route_is_in_the_matrix` until its expected outcomes are written
here, so no page can be added without deciding who may see it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Channel

from ..helpers import PageCheckingClient
from .staff_factories import (
    ANALYST_EMAIL,
    PARTNER_A_EMAIL,
    PARTNER_B_EMAIL,
    channel_id,
    make_staff,
    sign_in,
)

ALLOWED, SIGN_IN, FORBIDDEN, NOT_FOUND = "allowed", "sign in", "forbidden", "not found"
VISITORS = ("anonymous", "partner A", "partner B", "analyst")


@dataclass(frozen=True)
class Case:
    method: str
    rule: str
    url: str
    expected: tuple[str, str, str, str]  # in the order of VISITORS


def _everyone(outcome: str) -> tuple[str, str, str, str]:
    return (outcome,) * 4


ANALYST_ONLY = (SIGN_IN, FORBIDDEN, FORBIDDEN, ALLOWED)
PARTNERS_ONLY = (SIGN_IN, ALLOWED, ALLOWED, FORBIDDEN)
STAFF = (SIGN_IN, ALLOWED, ALLOWED, ALLOWED)
A_CHANNEL_PAGE = (SIGN_IN, ALLOWED, NOT_FOUND, FORBIDDEN)
B_CHANNEL_PAGE = (SIGN_IN, NOT_FOUND, ALLOWED, FORBIDDEN)
A_CHANNEL_FILE = (SIGN_IN, ALLOWED, NOT_FOUND, ALLOWED)
B_CHANNEL_FILE = (SIGN_IN, NOT_FOUND, ALLOWED, ALLOWED)


def cases(a: int, b: int, analyst_id: int) -> list[Case]:
    def case(method: str, rule: str, expected: tuple[str, str, str, str], **values: object) -> Case:
        url = rule
        for name, value in values.items():
            url = url.replace(f"<int:{name}>", str(value)).replace(f"<{name}>", str(value))
        return Case(method, rule, url, expected)

    channel_files = []
    for suffix in ("qr.png", "qr.svg", "poster.pdf"):
        rule = f"/channels/<int:channel_id>/{suffix}"
        channel_files += [
            case("GET", rule, A_CHANNEL_FILE, channel_id=a),
            case("GET", rule, B_CHANNEL_FILE, channel_id=b),
        ]
    return [
        # Residents' pages: open to everyone.
        case("GET", "/", _everyone(ALLOWED)),
        case("GET", "/privacy", _everyone(ALLOWED)),
        case("GET", "/accessibility", _everyone(ALLOWED)),
        case("GET", "/cookies", _everyone(ALLOWED)),
        case("GET", "/healthz", _everyone(ALLOWED)),
        case("GET", "/s/<path:slug>", _everyone(ALLOWED), slug="age-uk"),
        case("GET", "/start", _everyone(ALLOWED)),
        case("GET", "/questions/<page_id>", _everyone(ALLOWED), page_id="age"),
        case("GET", "/check-answers", _everyone(ALLOWED)),
        case("GET", "/confirmation", _everyone(ALLOWED)),
        case("GET", "/too-young", _everyone(ALLOWED)),
        case("POST", "/start-again", _everyone(ALLOWED)),
        # Results for residents: /results says when they will come; nothing is published here.
        case("GET", "/results", _everyone(ALLOWED)),
        case(
            "GET",
            "/results/<slug>/<int:wave>",
            _everyone(NOT_FOUND),
            slug="safermk-perceptions",
            wave=1,
        ),
        case(
            "GET",
            "/results/<slug>/<int:wave>.csv",
            _everyone(NOT_FOUND),
            slug="safermk-perceptions",
            wave=1,
        ),
        # Signing in and out.
        case("GET", "/sign-in", _everyone(ALLOWED)),
        case("GET", "/set-password/<token>", _everyone(NOT_FOUND), token="not-a-real-token"),
        case("GET", "/account/password", STAFF),
        # Partner portal: own channels only; another partner's id finds nothing.
        case("GET", "/partner/", PARTNERS_ONLY),
        case("GET", "/partner/channels/<int:channel_id>", A_CHANNEL_PAGE, channel_id=a),
        case("GET", "/partner/channels/<int:channel_id>", B_CHANNEL_PAGE, channel_id=b),
        *channel_files,
        # The analyst's pages.
        case("GET", "/admin/", ANALYST_ONLY),
        case("GET", "/admin/dashboard", ANALYST_ONLY),
        case("GET", "/admin/channels", ANALYST_ONLY),
        case("GET", "/admin/channels/new", ANALYST_ONLY),
        case("GET", "/admin/channels/<int:channel_id>", ANALYST_ONLY, channel_id=a),
        case("POST", "/admin/channels/<int:channel_id>/rename", ANALYST_ONLY, channel_id=a),
        case("POST", "/admin/channels/<int:channel_id>/move", ANALYST_ONLY, channel_id=a),
        case("POST", "/admin/channels/<int:channel_id>/archive", ANALYST_ONLY, channel_id=a),
        case("GET", "/admin/partners", ANALYST_ONLY),
        case("GET", "/admin/users/new", ANALYST_ONLY),
        case("GET", "/admin/users/<int:user_id>/link", ANALYST_ONLY, user_id=analyst_id),
        case("POST", "/admin/users/<int:user_id>/new-link", ANALYST_ONLY, user_id=analyst_id),
        case("POST", "/admin/users/<int:user_id>/deactivate", ANALYST_ONLY, user_id=analyst_id),
        case("GET", "/admin/reports", ANALYST_ONLY),
        case("POST", "/admin/reports/generate", ANALYST_ONLY),
        case("POST", "/admin/exports/generate", ANALYST_ONLY),
        case(
            "GET",
            "/admin/reports/files/<name>",
            (SIGN_IN, FORBIDDEN, FORBIDDEN, NOT_FOUND),
            name="x.csv",
        ),
        # No job has been started, so the analyst finds none; a partner is turned away first.
        case(
            "GET",
            "/admin/jobs/<job_id>",
            (SIGN_IN, FORBIDDEN, FORBIDDEN, NOT_FOUND),
            job_id="0" * 32,
        ),
        case(
            "GET",
            "/admin/jobs/<job_id>/progress",
            (SIGN_IN, FORBIDDEN, FORBIDDEN, NOT_FOUND),
            job_id="0" * 32,
        ),
        # Results for residents: the open survey (id 1) cannot be published, and has no entries.
        case("GET", "/admin/results/<int:survey_id>", ANALYST_ONLY, survey_id=1),
        case("POST", "/admin/results/<int:survey_id>/publish", ANALYST_ONLY, survey_id=1),
        case("GET", "/admin/results/<int:survey_id>/unpublish", ANALYST_ONLY, survey_id=1),
        case("GET", "/admin/results/<int:survey_id>/entries/new", ANALYST_ONLY, survey_id=1),
        *(
            case(method, rule, (SIGN_IN, FORBIDDEN, FORBIDDEN, NOT_FOUND), survey_id=1, entry_id=1)
            for method, rule in (
                ("GET", "/admin/results/<int:survey_id>/entries/<int:entry_id>"),
                ("GET", "/admin/results/<int:survey_id>/entries/<int:entry_id>/delete"),
                ("POST", "/admin/results/<int:survey_id>/entries/<int:entry_id>/move"),
            )
        ),
        case("GET", "/admin/paper", ANALYST_ONLY),
        case("GET", "/admin/paper/questions/<page_id>", ANALYST_ONLY, page_id="age"),
        case("GET", "/admin/paper/check", ANALYST_ONLY),
        case("GET", "/admin/paper/discard", ANALYST_ONLY),
        case("POST", "/admin/paper/discard", ANALYST_ONLY),
        case("GET", "/admin/quality", ANALYST_ONLY),
        case("GET", "/admin/languages", ANALYST_ONLY),
        # With no group named, there is nothing to review.
        case("GET", "/admin/quality/review", (SIGN_IN, FORBIDDEN, FORBIDDEN, NOT_FOUND)),
        # No decision has been recorded, so the analyst finds none to undo.
        case(
            "GET",
            "/admin/quality/decisions/<int:decision_id>/undo",
            (SIGN_IN, FORBIDDEN, FORBIDDEN, NOT_FOUND),
            decision_id=1,
        ),
    ]


# Routes the matrix does not request, each with the reason.
NOT_REQUESTED = {
    "/sign-out": "signing out would end the visitor's session mid-matrix; see test_accounts",
    "/static/<path:filename>": "static files",
}


def _outcome(response) -> str:  # type: ignore[no-untyped-def]
    location = response.headers.get("Location", "")
    if response.status_code == 302 and location.startswith("/sign-in"):
        return SIGN_IN
    if response.status_code == 403:
        return FORBIDDEN
    if response.status_code == 404:
        return NOT_FOUND
    if response.status_code in (200, 302):
        return ALLOWED
    return f"status {response.status_code}"


def _visitor(app: Flask, visitor: str) -> PageCheckingClient:
    client: PageCheckingClient = app.test_client()  # type: ignore[assignment]
    email = {"partner A": PARTNER_A_EMAIL, "partner B": PARTNER_B_EMAIL, "analyst": ANALYST_EMAIL}
    if visitor in email:
        assert sign_in(client, email[visitor]).status_code == 302
    return client


@pytest.mark.parametrize("visitor", VISITORS)
def test_each_visitor_reaches_exactly_what_the_matrix_says(app, visitor):
    staff = make_staff(app)
    a, b = channel_id(app, "age-uk"), channel_id(app, "mk-college")
    client = _visitor(app, visitor)
    column = VISITORS.index(visitor)
    wrong = []
    for case in cases(a, b, analyst_id=staff.analyst):
        response = client.open(case.url, method=case.method)
        outcome = _outcome(response)
        response.close()
        if outcome != case.expected[column]:
            wrong.append(f"{case.method} {case.url}: {outcome}, expected {case.expected[column]}")
    assert not wrong, f"{visitor}:\n" + "\n".join(wrong)


def test_every_route_is_in_the_matrix(app):
    covered = {case.rule for case in cases(1, 2, 1)} | set(NOT_REQUESTED)
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    assert rules - covered == set()


def test_partner_a_cannot_change_partner_bs_channel_by_any_channel_id(app):
    make_staff(app)
    a = channel_id(app, "age-uk")
    with app.app_context():
        ids = set(db.session.scalars(select(Channel.id)))
    others = sorted(ids - {a}) + [max(ids) + 1]  # every other channel, and one that is not there
    assert len(others) > 10, others
    client = _visitor(app, "partner A")
    for other in others:
        for url in (f"/partner/channels/{other}", f"/channels/{other}/qr.png"):
            assert client.get(url).status_code == 404, url
