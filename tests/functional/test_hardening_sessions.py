"""Hardening: sessions that end, cookies that hold no address, limits that count the right
client and lock nobody out, logs and errors that hold no address and no answer."""

from __future__ import annotations

import logging

import pytest
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy.exc import IntegrityError

from survey_app.extensions import db
from survey_app.logging_setup import AddressFreeFilter, without_addresses
from survey_app.models import Channel

from .staff_factories import (
    ANALYST_EMAIL,
    PARTNER_A_EMAIL,
    PASSWORD,
    channel_id,
    make_staff,
    sign_in,
)


def _session_of(app, client) -> dict:  # type: ignore[no-untyped-def]
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    return dict(serializer.loads(cookie.value))


def test_signing_out_ends_the_session_on_the_server(app, client):
    make_staff(app)
    sign_in(client, PARTNER_A_EMAIL)
    copied = client.get_cookie("session").value
    client.get("/sign-out")
    client.submit("/sign-out")

    thief = app.test_client()
    thief.set_cookie("session", copied)
    response = thief.get("/partner/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


def test_the_staff_cookie_holds_no_hash_of_the_address(app, client):
    make_staff(app)
    sign_in(client, ANALYST_EMAIL)
    assert client.get("/admin/dashboard").status_code == 200
    assert "_id" not in _session_of(app, client)


def _wrong_password(client, address: str):  # type: ignore[no-untyped-def]
    client.get("/sign-in", environ_base={"REMOTE_ADDR": address})
    return client.submit(
        "/sign-in",
        {"email": ANALYST_EMAIL, "password": "not the password at all"},
        environ_base={"REMOTE_ADDR": address},
    )


def test_someone_who_knows_a_staff_email_cannot_lock_its_owner_out(app):
    make_staff(app)
    # 24 wrong passwords from three addresses, each under the per-address limit.
    for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        attacker = app.test_client()
        for _ in range(8):
            assert _wrong_password(attacker, address).status_code == 200

    owner = app.test_client()
    owner.get("/sign-in", environ_base={"REMOTE_ADDR": "198.51.100.7"})
    response = owner.submit(
        "/sign-in",
        {"email": ANALYST_EMAIL, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )
    assert response.status_code == 302


def test_one_address_still_cannot_keep_guessing(app):
    make_staff(app)
    attacker = app.test_client()
    statuses = [_wrong_password(attacker, "203.0.113.9").status_code for _ in range(12)]
    assert 429 in statuses


def _failed_sign_ins(client, forwarded_for: str, count: int) -> list[int]:  # type: ignore[no-untyped-def]
    headers = {"X-Forwarded-For": forwarded_for}
    statuses = []
    for _ in range(count):
        client.get("/sign-in", headers=headers)
        statuses.append(
            client.submit(
                "/sign-in",
                {"email": "nobody@example.org", "password": "wrong wrong wrong"},
                headers=headers,
            ).status_code
        )
    return statuses


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(make_app):
    app = make_app(TRUSTED_PROXIES=1)
    assert 429 in _failed_sign_ins(app.test_client(), "192.0.2.10", 11)
    assert _failed_sign_ins(app.test_client(), "192.0.2.11", 1) == [200]


def test_forwarded_headers_are_not_trusted_unless_configured(make_app):
    app = make_app(TRUSTED_PROXIES=0)
    # A client cannot dodge its limit by inventing a new forwarded address each time.
    statuses = [_failed_sign_ins(app.test_client(), f"192.0.2.{n}", 1)[0] for n in range(20, 32)]
    assert 429 in statuses


def test_a_failed_statement_does_not_carry_its_values_into_errors_and_logs(app):
    with app.app_context():
        secret = "my-neighbour-deals-drugs"
        existing = db.session.scalars(db.select(Channel)).first()
        db.session.add(Channel(slug=existing.slug, name=secret, partner_id=existing.partner_id))
        with pytest.raises(IntegrityError) as raised:
            db.session.commit()
        db.session.rollback()
    assert secret not in str(raised.value)


@pytest.mark.parametrize(
    "line",
    [
        "ratelimit 120 per 1 minute (127.0.0.5) exceeded at endpoint: public.question",
        "Invalid request from ip=2001:db8::17: Invalid HTTP method",
        "ratelimit 20 per 1 hour (officer@thamesvalley.police.uk) exceeded at endpoint: sign_in",
    ],
)
def test_no_log_line_names_an_address(line):
    record = logging.LogRecord("flask-limiter", logging.INFO, __file__, 1, line, None, None)
    AddressFreeFilter().filter(record)
    shown = record.getMessage()
    assert "127.0.0.5" not in shown and "2001:db8::17" not in shown
    assert "thamesvalley" not in shown
    assert without_addresses("version 1.2.3 at 12:30:45") == "version 1.2.3 at 12:30:45"


def test_the_service_log_handler_removes_addresses(app):
    handlers = [h for h in logging.getLogger().handlers if getattr(h, "_safermk", False)]
    assert handlers
    assert any(isinstance(f, AddressFreeFilter) for h in handlers for f in h.filters)


def test_links_made_in_the_pages_use_the_public_address_not_the_host_header(make_app):
    app = make_app(SAFERMK_BASE_URL="https://survey.safermk.example")
    make_staff(app)
    client = app.test_client()
    forged = {"headers": {"Host": "evil.example"}}
    client.get("/sign-in", **forged)
    client.submit("/sign-in", {"email": ANALYST_EMAIL, "password": PASSWORD}, **forged)
    client.get("/admin/users/new", **forged)
    created = client.submit(
        "/admin/users/new", {"email": "new@safermk.example", "role": "analyst"}, **forged
    )
    page = client.get(created.headers["Location"], **forged).get_data(as_text=True)
    assert "https://survey.safermk.example/set-password/" in page
    assert "evil.example" not in page

    age_uk = channel_id(app, "age-uk")
    channels = client.get(f"/admin/channels/{age_uk}", **forged).get_data(as_text=True)
    assert "https://survey.safermk.example/s/" in channels and "evil.example" not in channels
