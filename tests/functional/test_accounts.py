"""Staff accounts: set-password links, password rules, signing in and out, session expiry."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from survey_app.auth import accounts
from survey_app.auth.passwords import password_problem
from survey_app.extensions import db
from survey_app.models import User

from ..helpers import error_messages, text_of
from .staff_factories import (
    ANALYST_EMAIL,
    PARTNER_A,
    PARTNER_A_EMAIL,
    PASSWORD,
    make_user,
    sign_in,
)


def _link_path(output: str) -> str:
    match = re.search(r"https?://[^/\s]+(/set-password/\S+)", output)
    assert match, output
    return match.group(1)


def test_printed_link_leads_to_the_running_service_or_the_public_address(make_app):
    development = make_app(DEVELOPMENT_BASE_URL="http://127.0.0.1:8123")
    result = development.test_cli_runner().invoke(
        args=["users", "add", "a@x.example", "--role", "analyst"]
    )
    assert "http://127.0.0.1:8123/set-password/" in result.output

    public = make_app(SAFERMK_BASE_URL="https://survey.safermk.example")
    result = public.test_cli_runner().invoke(args=["users", "new-link", "a@x.example"])
    assert "https://survey.safermk.example/set-password/" in result.output


def test_users_add_prints_a_one_time_link_that_sets_the_password(app, client, runner):
    result = runner.invoke(
        args=["users", "add", "Officer@AgeUK.example", "--role", "partner", "--partner", PARTNER_A]
    )
    assert result.exit_code == 0, result.output
    assert "officer@ageuk.example (partner user for Age UK Milton Keynes)" in result.output
    path = _link_path(result.output)

    client.get(path)
    response = client.submit(path, {"password": PASSWORD, "confirm_password": PASSWORD})
    assert response.headers["Location"] == "/sign-in"
    assert sign_in(client, "officer@ageuk.example").headers["Location"] == "/partner/"

    client.get("/sign-out")
    client.submit("/sign-out")
    assert client.get(path).status_code == 404  # used once, never again


def test_set_password_token_is_stored_only_as_a_hash(app, runner):
    result = runner.invoke(args=["users", "add", ANALYST_EMAIL, "--role", "analyst"])
    token = _link_path(result.output).rsplit("/", 1)[1]
    with app.app_context():
        user = db.session.scalars(select(User)).one()
        assert user.password_token_hash and token not in user.password_token_hash
        assert user.password_hash is None


def test_set_password_link_expires_after_72_hours(app, client):
    with app.app_context():
        user = accounts.create_user(ANALYST_EMAIL, "analyst")
        link = accounts.issue_password_link(user)
        user.password_token_expires_at = accounts.now() - dt.timedelta(minutes=1)
        db.session.commit()
        assert link.expires_at - accounts.now() < dt.timedelta(hours=73)
    response = client.get(f"/set-password/{link.token}")
    assert response.status_code == 404
    assert "This link has expired or has been used" in text_of(response)


def test_users_add_refuses_a_partner_user_without_a_known_partner(runner):
    result = runner.invoke(args=["users", "add", "a@b.example", "--role", "partner"])
    assert result.exit_code != 0 and "needs the partner organisation" in result.output
    result = runner.invoke(
        args=["users", "add", "a@b.example", "--role", "partner", "--partner", "Nobody"]
    )
    assert result.exit_code != 0 and "No partner called 'Nobody'" in result.output


def test_password_rules_follow_ncsc_advice():
    assert password_problem("short one") == "Password must be 12 characters or more"
    assert "too common" in (password_problem("Password1234") or "")
    assert "too common" in (password_problem("qwertyuiop123") or "")
    assert "too common" in (password_problem("aaaaaaaaaaaaaaa") or "")
    assert password_problem("officer.name@x.org", "officer.name@x.org") is not None
    # No composition rules: a long passphrase of lower-case words is fine.
    assert password_problem("coffee train fish lamp") is None


def test_weak_password_is_refused_with_an_error_linked_to_the_field(app, client):
    with app.app_context():
        link = accounts.issue_password_link(accounts.create_user(ANALYST_EMAIL, "analyst"))
    path = f"/set-password/{link.token}"
    client.get(path)
    response = client.submit(path, {"password": "password1234", "confirm_password": "x"})
    assert response.status_code == 200
    assert error_messages(response) == [
        "That password is too common. Choose a password that would be hard to guess",
        "Passwords do not match: type the same password twice",
    ]


def test_wrong_password_gives_one_message_that_does_not_say_which_part_was_wrong(app, client):
    make_user(app, ANALYST_EMAIL, "analyst")
    for email, password in ((ANALYST_EMAIL, "not the password"), ("nobody@x.example", PASSWORD)):
        response = sign_in(client, email, password)
        assert response.status_code == 200
        assert error_messages(response) == ["Enter the email address and password for your account"]


def test_sign_in_is_rate_limited(app, client):
    make_user(app, ANALYST_EMAIL, "analyst")
    statuses = [sign_in(client, ANALYST_EMAIL, "wrong guess number").status_code for _ in range(11)]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    refused = sign_in(client, ANALYST_EMAIL)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "60"  # "10 per minute" was the limit reached


def test_sign_in_goes_back_to_the_page_asked_for_but_never_to_another_site(app, client):
    make_user(app, ANALYST_EMAIL, "analyst")
    assert client.get("/admin/channels").headers["Location"].startswith("/sign-in?next=")
    client.get("/sign-in?next=/admin/channels")
    response = client.submit(
        "/sign-in?next=/admin/channels", {"email": ANALYST_EMAIL, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/admin/channels"
    client.get("/sign-out")
    client.submit("/sign-out")
    client.get("/sign-in")
    response = client.submit(
        "/sign-in?next=//evil.example/", {"email": ANALYST_EMAIL, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/admin/dashboard"


def test_changing_the_password_signs_out_every_other_browser(app):
    make_user(app, PARTNER_A_EMAIL, "partner", PARTNER_A)
    office, phone = app.test_client(), app.test_client()
    sign_in(office, PARTNER_A_EMAIL)
    sign_in(phone, PARTNER_A_EMAIL)
    assert phone.get("/partner/").status_code == 200

    new_password = "a different long passphrase"
    office.get("/account/password")
    response = office.submit(
        "/account/password",
        {"current_password": PASSWORD, "password": new_password, "confirm_password": new_password},
    )
    assert response.status_code == 302
    assert office.get("/partner/").status_code == 200
    assert phone.get("/partner/").headers["Location"].startswith("/sign-in")


def test_change_password_needs_the_current_password(app, client):
    make_user(app, ANALYST_EMAIL, "analyst")
    sign_in(client, ANALYST_EMAIL)
    client.get("/account/password")
    new_password = "a different long passphrase"
    response = client.submit(
        "/account/password",
        {"current_password": "wrong", "password": new_password, "confirm_password": new_password},
    )
    assert error_messages(response) == ["Your current password is not right"]


def test_staff_session_ends_after_being_idle(app, client):
    make_user(app, ANALYST_EMAIL, "analyst")
    sign_in(client, ANALYST_EMAIL)
    assert client.get("/admin/dashboard").status_code == 200
    with client.session_transaction() as session:
        session["staff_last_seen"] -= app.config["STAFF_IDLE_MINUTES"] * 60 + 1
    response = client.get("/admin/dashboard")
    assert response.headers["Location"].startswith("/sign-in")
    assert "not used the service for a while" in text_of(client.get(response.headers["Location"]))


def test_a_deactivated_user_is_signed_out_and_cannot_sign_in(app, client, runner):
    make_user(app, ANALYST_EMAIL, "analyst")
    sign_in(client, ANALYST_EMAIL)
    assert runner.invoke(args=["users", "deactivate", ANALYST_EMAIL]).exit_code == 0
    assert client.get("/admin/dashboard").headers["Location"].startswith("/sign-in")
    assert error_messages(sign_in(client, ANALYST_EMAIL))


def test_sign_out_needs_the_form_and_ends_the_session(app, client):
    make_user(app, ANALYST_EMAIL, "analyst")
    sign_in(client, ANALYST_EMAIL)
    assert client.post("/sign-out", data={}).status_code == 200  # no CSRF token: still signed in
    assert client.get("/admin/dashboard").status_code == 200
    client.get("/sign-out")
    assert client.submit("/sign-out").headers["Location"] == "/sign-in"
    assert client.get("/admin/dashboard").status_code == 302
