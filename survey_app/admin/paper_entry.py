"""Typing in a paper questionnaire: the resident's own pages and validation, saved as "paper".

The entry is keyed by its own random token (kept in the analyst's session under its own name),
so an analyst who is also trying the survey as a resident never mixes the two.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from .. import responses, tokens
from ..extensions import db
from ..models import Channel, Response, Survey, User
from ..questionnaire import Page, Questionnaire

SESSION_KEY = "paper_entry"
PAPER_SOURCE = "paper"


@dataclass(frozen=True)
class PaperEntry:
    token: str
    channel: Channel
    survey: Survey
    questionnaire: Questionnaire


def entry_survey() -> Survey | None:
    """The open survey; after it closes, the newest, for forms posted before the closing date."""
    survey = responses.open_survey()
    if survey is None:
        survey = db.session.scalars(select(Survey).order_by(Survey.id.desc()).limit(1)).first()
    return survey


def channel_choices() -> list[tuple[str, str]]:
    channels = db.session.scalars(
        select(Channel)
        .where(Channel.archived.is_(False))
        .join(Channel.partner)
        .order_by(Channel.name)
    )
    return [(str(c.id), f"{c.name} ({c.partner.name})") for c in channels]


def start(session: MutableMapping[str, Any], channel: Channel) -> None:
    session[SESSION_KEY] = {"token": tokens.new_token(), "channel_id": channel.id}


def current(session: MutableMapping[str, Any]) -> PaperEntry | None:
    data = session.get(SESSION_KEY) or {}
    channel = db.session.get(Channel, data.get("channel_id") or 0)
    survey = entry_survey()
    if not data.get("token") or channel is None or survey is None:
        return None
    return PaperEntry(data["token"], channel, survey, responses.questionnaire_for(survey))


def saved_response(entry: PaperEntry) -> Response | None:
    found = responses.find_response(entry.token)
    return found if found is not None and found.survey_id == entry.survey.id else None


def answers_and_pages(entry: PaperEntry) -> tuple[dict[str, Any], list[str]]:
    found = saved_response(entry)
    return (dict(found.answers), list(found.pages_done)) if found else ({}, [])


def save_page(
    entry: PaperEntry, page: Page, page_answers: dict[str, Any], user: User
) -> responses.SavedPage:
    return responses.save_page(
        survey=entry.survey,
        token=entry.token,
        page=page,
        page_answers=page_answers,
        visit=responses.ChannelVisit(slug=entry.channel.slug),
        source=PAPER_SOURCE,
        entered_by_user_id=user.id,
    )


def discard(session: MutableMapping[str, Any]) -> None:
    data = session.pop(SESSION_KEY, None) or {}
    responses.discard(data.get("token"))


def submit(session: MutableMapping[str, Any], entry: PaperEntry) -> str | None:
    """Submit the entry; returns its reference, or None if nothing had been saved."""
    found = saved_response(entry)
    if found is None:
        return None
    result = responses.submit(found)
    session.pop(SESSION_KEY, None)
    return result.reference


def chosen_channel(channel_id: str | None) -> Channel | None:
    """The live channel chosen for a paper form, or None for anything else."""
    if not channel_id or not channel_id.isdigit():
        return None
    channel = db.session.get(Channel, int(channel_id))
    return channel if channel is not None and not channel.archived else None
