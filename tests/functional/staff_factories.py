"""Plain-function factories for staff tests: accounts, signing in, and submitted responses."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from flask import Flask
from sqlalchemy import select
from werkzeug.test import TestResponse

from survey_app.auth import accounts
from survey_app.extensions import db
from survey_app.models import Channel, Partner, Response, Survey, User

from ..helpers import PageCheckingClient

PASSWORD = "correct horse battery staple"
PARTNER_A = "Age UK Milton Keynes"  # channel age-uk in the default channels
PARTNER_B = "MK College"  # channel mk-college
ANALYST_EMAIL = "analyst@safermk.example"
PARTNER_A_EMAIL = "officer@ageuk.example"
PARTNER_B_EMAIL = "tutor@mkcollege.example"


def make_user(
    app: Flask, email: str, role: str, partner_name: str | None = None, password: str = PASSWORD
) -> int:
    with app.app_context():
        partner = accounts.find_partner(partner_name) if partner_name else None
        user = accounts.create_user(email, role, partner)
        accounts.set_password(user, password)
        return user.id


class Staff(NamedTuple):
    """The user ids make_staff created."""

    analyst: int
    partner_a: int
    partner_b: int


def make_staff(app: Flask) -> Staff:
    """The analyst, a user at partner A and a user at partner B."""
    return Staff(
        analyst=make_user(app, ANALYST_EMAIL, "analyst"),
        partner_a=make_user(app, PARTNER_A_EMAIL, "partner", PARTNER_A),
        partner_b=make_user(app, PARTNER_B_EMAIL, "partner", PARTNER_B),
    )


def sign_in(client: PageCheckingClient, email: str, password: str = PASSWORD) -> TestResponse:
    client.get("/sign-in")
    return client.submit("/sign-in", {"email": email, "password": password})


def channel_id(app: Flask, slug: str) -> int:
    with app.app_context():
        return db.session.scalars(select(Channel.id).where(Channel.slug == slug)).one()


def user_id(app: Flask, email: str) -> int:
    with app.app_context():
        return db.session.scalars(select(User.id).where(User.email == email)).one()


def partner_id(app: Flask, name: str) -> int:
    with app.app_context():
        return db.session.scalars(select(Partner.id).where(Partner.name == name)).one()


def add_submitted_responses(
    app: Flask,
    count: int,
    *,
    channel_slug: str | None = None,
    submitted_on: dt.date | None = None,
    **dimensions: Any,
) -> None:
    """Submitted responses straight into the table, for counting tests that need many."""
    day = submitted_on or dt.date.today()
    with app.app_context():
        survey = db.session.scalars(select(Survey).order_by(Survey.id.desc())).first()
        channel = (
            db.session.scalars(select(Channel).where(Channel.slug == channel_slug)).one()
            if channel_slug
            else None
        )
        for _ in range(count):
            db.session.add(
                Response(
                    survey_id=survey.id,
                    status="submitted",
                    source="online",
                    channel_id=channel.id if channel else None,
                    started_on=day,
                    last_saved_on=day,
                    submitted_on=day,
                    answers={},
                    pages_done=["age", "feeling-safe"],
                    **dimensions,
                )
            )
        db.session.commit()
