"""Security headers, rate limits, the honeypot and the health check."""

from __future__ import annotations

import json
import logging
import re

import pytest

from survey_app import responses
from survey_app.extensions import db

from ..conftest import _app_for
from ..helpers import (
    PageCheckingClient,
    answer_page,
    complete_survey,
    input_value,
    stored_responses,
    text_of,
)


@pytest.mark.parametrize(
    "path", ["/", "/questions/age", "/privacy", "/no-such-page", "/healthz", "/static/favicon.svg"]
)
def test_security_headers_are_on_every_response(client, path):
    with client.get(path) as response:
        headers = response.headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"


def test_the_only_inline_script_carries_the_policy_nonce(client):
    page = client.get("/")
    nonce = re.search(r"'nonce-([^']+)'", page.headers["Content-Security-Policy"]).group(1)
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page.get_data(as_text=True))
    assert inline_scripts and all(f'nonce="{nonce}"' in attrs for attrs in inline_scripts)
    assert nonce not in client.get("/").headers["Content-Security-Policy"]


def test_health_check_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_health_check_says_when_the_database_is_down(tmp_path):
    app = _app_for(
        "postgresql+psycopg://nobody@127.0.0.1:1/nothing",
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 1}},
    )
    app.test_client_class = PageCheckingClient
    response = app.test_client().get("/healthz")
    with app.app_context():
        db.engine.dispose()
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


def test_honeypot_filled_in_stores_nothing(app, client):
    client.get("/start")
    client.get("/questions/age")
    robot = client.submit("/questions/age", {"age": "30", "website": "http://spam.example"})
    assert robot.status_code == 302
    assert stored_responses(app) == []


def test_honeypot_on_the_final_submit_stores_no_submission(app, client):
    complete_survey(client, submit=False)
    client.submit("/check-answers", {"website": "buy now"})
    assert [r.status for r in stored_responses(app)] == ["in_progress"]


def test_honeypot_is_hidden_from_people(client):
    client.get("/start")
    page = client.get("/questions/age").get_data(as_text=True)
    assert 'class="app-honeypot" aria-hidden="true"' in page
    assert 'tabindex="-1"' in page


def test_too_many_survey_posts_keep_the_answer_on_screen_to_send_again(make_app):
    app = make_app(SURVEY_RATE_LIMIT="3 per minute")
    client = app.test_client()
    client.get("/start")
    for age in ("30", "31", "32"):
        accepted = answer_page(client, "age", {"age": age})
        # How near the limit an address is stays the server's business.
        assert not {"X-RateLimit-Remaining", "Retry-After"} & set(accepted.headers.keys())
    # As in a server process that has not drawn any survey page yet.
    app.extensions.pop(responses.PARSED_QUESTIONNAIRES)
    refused = client.submit("/questions/age", {"age": "33"})

    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "60"  # the limit's whole window, one minute
    page = text_of(refused)
    assert "A lot of answers have been sent from your network" in page
    assert "select Continue again" in page
    assert input_value(refused, "age") == "33"
    assert [r.answers["age"] for r in stored_responses(app)] == [32]


def test_a_submit_over_the_limit_is_not_lost_and_can_be_sent_again(make_app):
    app = make_app(SURVEY_RATE_LIMIT="60 per minute")
    client = app.test_client()
    complete_survey(client, {"age": {"age": "30"}}, submit=False)
    for _ in range(60):  # robots on the same network (caught by the honeypot) use up the limit
        client.submit("/check-answers", {"website": "x"})
    refused = client.submit("/check-answers")

    assert refused.status_code == 429
    assert "Your answers have not been submitted yet" in text_of(refused)
    assert 'action="/check-answers"' in refused.get_data(as_text=True)
    assert [r.status for r in stored_responses(app)] == ["in_progress"]


def test_request_logs_hold_no_personal_data(client, caplog):
    caplog.set_level(logging.INFO, logger="safermk.requests")
    client.get(
        "/s/age-uk?utm_campaign=secret-campaign",
        headers={"User-Agent": "Distinctive-Agent/1.0"},
        environ_base={"REMOTE_ADDR": "198.51.100.23"},
    )
    complete_survey(
        client,
        {"age": {"age": "30"}, "anything-else": {"anything_else": "my neighbour at 12 Elm Road"}},
    )
    logged = "\n".join(
        json.dumps(getattr(r, "fields", {})) + r.getMessage() for r in caplog.records
    )
    for secret in (
        "secret-campaign",
        "Distinctive-Agent",
        "198.51.100.23",
        "Elm Road",
        client.get_cookie("session").value,
    ):
        assert secret not in logged
    assert '"route": "/questions/<page_id>"' in logged
