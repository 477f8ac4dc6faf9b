"""Plain-function factories for report tests: demo responses and hand-made ones.

Call them inside the `app` fixture's application context.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from survey_app.demo import seed_responses
from survey_app.extensions import db
from survey_app.models import Channel, Response
from survey_app.responses import open_survey


def seed_demo(count: int, seed: int = 2026) -> int:
    """The demo sample of `survey_app.demo`, with its known biases, in the open survey."""
    return seed_responses(count=count, seed=seed)


def add_response(
    *,
    answers: dict[str, Any] | None = None,
    channel_slug: str | None = None,
    unknown_channel_slug: str | None = None,
    status: str = "submitted",
    submitted_on: dt.date | None = None,
    **dimensions: str | None,
) -> Response:
    """One response row with the given answers and derived census categories."""
    survey = open_survey()
    assert survey is not None
    channel_id = None
    if channel_slug is not None:
        channel_id = db.session.scalars(
            select(Channel.id).where(Channel.slug == channel_slug)
        ).one()
    day = submitted_on or dt.date.today()
    response = Response(
        survey_id=survey.id,
        status=status,
        source="online",
        channel_id=channel_id,
        unknown_channel_slug=unknown_channel_slug,
        started_on=day,
        last_saved_on=day,
        submitted_on=day if status == "submitted" else None,
        answers=answers or {},
        pages_done=[],
        **dimensions,
    )
    db.session.add(response)
    db.session.commit()
    return response
