"""Managing partners and their channels. A channel with responses is never deleted: archiving
takes it off the lists, while its link keeps working and its responses keep their tag."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import func, select

from ..extensions import db
from ..models import Channel, Partner, Response
from ..setup_data import CHANNEL_SLUG_PATTERN


class ChannelError(ValueError):
    """Bad input for a channel or partner; the message says what to change."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ChannelRow:
    channel: Channel
    submitted: int
    in_progress: int


def partners() -> list[Partner]:
    return list(db.session.scalars(select(Partner).order_by(Partner.name)))


def partner_choices() -> list[tuple[str, str]]:
    return [(str(partner.id), partner.name) for partner in partners()]


def get_partner(partner_id: int) -> Partner | None:
    return db.session.get(Partner, partner_id)


def get_channel(channel_id: int) -> Channel | None:
    return db.session.get(Channel, channel_id)


def response_counts_by_channel() -> dict[int, dict[str, int]]:
    rows = db.session.execute(
        select(Response.channel_id, Response.status, func.count())
        .where(Response.channel_id.is_not(None))
        .group_by(Response.channel_id, Response.status)
    )
    counts: dict[int, dict[str, int]] = {}
    for channel_id, status, count in rows:
        assert channel_id is not None, "the query leaves out responses with no channel"
        counts.setdefault(channel_id, {})[status] = int(count)
    return counts


def channel_rows(*, archived: bool) -> list[ChannelRow]:
    counts = response_counts_by_channel()
    channels = db.session.scalars(
        select(Channel)
        .join(Partner)
        .where(Channel.archived == archived)
        .order_by(Partner.name, Channel.name)
    )
    return [
        ChannelRow(
            channel,
            counts.get(channel.id, {}).get("submitted", 0),
            counts.get(channel.id, {}).get("in_progress", 0),
        )
        for channel in channels
    ]


def _clean_name(name: str, field: str, what: str) -> str:
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise ChannelError(field, f"Enter {what}")
    if len(cleaned) > 200:
        raise ChannelError(field, f"{what[0].upper()}{what[1:]} must be 200 characters or fewer")
    return cleaned


def create_partner(name: str) -> Partner:
    cleaned = _clean_name(name, "name", "the partner organisation's name")
    exists = db.session.scalars(
        select(Partner).where(func.lower(Partner.name) == cleaned.lower())
    ).first()
    if exists is not None:
        raise ChannelError("name", f"There is already a partner called {exists.name}")
    partner = Partner(name=cleaned)
    db.session.add(partner)
    db.session.commit()
    return partner


def _check_name_free(name: str, partner: Partner, channel: Channel | None = None) -> None:
    """A partner's channels each have their own name, so lists never show two alike."""
    query = select(Channel).where(
        Channel.partner_id == partner.id, func.lower(Channel.name) == name.lower()
    )
    if channel is not None:
        query = query.where(Channel.id != channel.id)
    if partner.id is not None and db.session.scalars(query).first() is not None:
        raise ChannelError("name", f"{partner.name} already has a channel called {name}")


def create_channel(slug: str, name: str, partner: Partner) -> Channel:
    slug = (slug or "").strip().lower()
    if not slug:
        raise ChannelError("slug", "Enter the link's short name")
    if not re.match(CHANNEL_SLUG_PATTERN, slug):
        raise ChannelError(
            "slug", "Short name must be 2 to 60 lower-case letters, numbers or hyphens"
        )
    if db.session.scalars(select(Channel).where(Channel.slug == slug)).first() is not None:
        raise ChannelError("slug", f"There is already a channel with the short name {slug}")
    name = _clean_name(name, "name", "what the channel is")
    _check_name_free(name, partner)
    channel = Channel(
        slug=slug,
        name=name,
        partner=partner,
        archived=False,
        created_on=dt.date.today(),
    )
    db.session.add(channel)
    db.session.commit()
    return channel


def rename_channel(channel: Channel, name: str) -> None:
    name = _clean_name(name, "name", "what the channel is")
    _check_name_free(name, channel.partner, channel)
    channel.name = name
    db.session.commit()


def move_channel(channel: Channel, partner: Partner) -> None:
    """Give the channel to another partner; its responses move with it."""
    _check_name_free(channel.name, partner, channel)
    channel.partner = partner
    db.session.commit()


def set_archived(channel: Channel, archived: bool) -> None:
    channel.archived = archived
    db.session.commit()
