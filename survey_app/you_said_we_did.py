"""The "You said, we did" entries of a wave's published results: what residents said, and what
the partnership did or will do about it, in the analyst's words and in the analyst's order.

Entries belong to a wave, not to its publication: they can be written before the results are
published, are shown on the public page as soon as they are saved, and stay as drafts when the
results are unpublished.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from .extensions import db
from .models import YouSaidWeDid

YOU_SAID_LIMIT = 600
WE_DID_LIMIT = 1200


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class EntryError(ValueError):
    pass


def entries(survey_id: int) -> list[YouSaidWeDid]:
    return list(
        db.session.scalars(
            select(YouSaidWeDid)
            .where(YouSaidWeDid.survey_id == survey_id)
            .order_by(YouSaidWeDid.position, YouSaidWeDid.id)
        )
    )


def entry(survey_id: int, entry_id: int) -> YouSaidWeDid | None:
    found = db.session.get(YouSaidWeDid, entry_id)
    return found if found is not None and found.survey_id == survey_id else None


def add_entry(survey_id: int, you_said: str, we_did: str) -> YouSaidWeDid:
    last = db.session.scalar(
        select(func.max(YouSaidWeDid.position)).where(YouSaidWeDid.survey_id == survey_id)
    )
    added = YouSaidWeDid(
        survey_id=survey_id,
        position=(last or 0) + 1,
        you_said=you_said,
        we_did=we_did,
        updated_at=_now(),
    )
    db.session.add(added)
    db.session.commit()
    return added


def change_entry(found: YouSaidWeDid, you_said: str, we_did: str) -> None:
    found.you_said, found.we_did, found.updated_at = you_said, we_did, _now()
    db.session.commit()


def delete_entry(found: YouSaidWeDid) -> None:
    db.session.delete(found)
    db.session.commit()


def move_entry(found: YouSaidWeDid, direction: str) -> bool:
    """Move an entry one place up or down; False when it is already first or last."""
    if direction not in ("up", "down"):
        raise EntryError(f"Unknown direction {direction!r}")
    ordered = entries(found.survey_id)
    index = next(i for i, row in enumerate(ordered) if row.id == found.id)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(ordered):
        return False
    ordered[index], ordered[other] = ordered[other], ordered[index]
    # Renumbered in full, so entries that shared a position (none should) come out in order.
    for position, row in enumerate(ordered, start=1):
        row.position = position
    db.session.commit()
    return True
