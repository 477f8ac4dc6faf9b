"""The dashboard's and the partner portal's costly figures, worked out off the page view.

Counting every submitted response by each census dimension and channel, and every page
reached, takes the database seconds at 100,000 responses; done on every view, the pages would
be slow for everyone watching them. So each set of figures (FIGURES) is kept in the
`live_figures` table, as JSON, with the moment it was worked out:

- a view shows the kept figures, with their time;
- once they are older than LIVE_FIGURES_SECONDS, the view asks the background worker to work
  them out again (once, however many people are looking, across every server) and shows the
  kept ones meanwhile; so while anyone watches, the figures follow the responses coming in;
- only a view that finds nothing kept works them out itself (the first view of a survey);
- a decision that changes what is counted (excluding suspected responses) forgets them.

LIVE_FIGURES_SECONDS=0 keeps nothing: every view works its figures out (the tests, mostly).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from .database import rows_changed
from .extensions import db
from .models import LiveFigures

log = logging.getLogger(__name__)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _representativeness(survey_id: int) -> dict[str, Any]:
    from reporting.interim import build_representativeness

    return dict(build_representativeness(db.engine, survey_id))


def _dashboard(survey_id: int) -> dict[str, Any]:
    from reporting.languages import language_name
    from reporting.queries import language_counts

    from . import quality
    from .admin import dashboard

    today = dt.date.today()
    timing = quality.timing(survey_id)
    overview = quality.overview(survey_id, timing.fast_below)
    untagged, unknown = dashboard.untagged_and_unknown(survey_id)
    started, submitted, reached = dashboard.funnel_counts(survey_id)
    return {
        "today": today.isoformat(),
        "per_day": [
            [day.isoformat(), count] for day, count in dashboard.responses_per_day(survey_id)
        ],
        "channel_rows": dashboard.channel_rows(survey_id, today),
        "started": started,
        "submitted": submitted,
        "reached": reached,
        "untagged": untagged,
        "unknown": [list(pair) for pair in unknown],
        # [code, name in English, count], most first: the analyst sees every count.
        "languages": [
            [code, language_name(code), count]
            for code, count in language_counts(db.engine, survey_id).items()
        ],
        "quality": {
            "to_review": overview.to_review,
            "excluded": overview.excluded,
            "kept": overview.kept,
        },
    }


FIGURES: dict[str, Callable[[int], dict[str, Any]]] = {
    "representativeness": _representativeness,
    "dashboard": _dashboard,
}


# Part of each kept row's name: raise it when what a set of figures holds changes shape, so
# that new code never reads figures kept by old code (they are worked out again instead).
SHAPE = 2


def _key(name: str) -> str:
    return f"{name}/{SHAPE}"


@dataclass(frozen=True)
class Figures:
    values: dict[str, Any]
    # When they were begun; None when worked out for this view and not kept.
    as_at: dt.datetime | None
    # Out of date, and no background worker is running to bring them up to date.
    stuck: bool = False
    # Not worked out yet: the worker is working them out (`values` is empty).
    pending: bool = False


def _kept(name: str, survey_id: int) -> LiveFigures | None:
    return _row(_key(name), survey_id)


def _row(key: str, survey_id: int) -> LiveFigures | None:
    row = LiveFigures.name == key, LiveFigures.survey_id == survey_id
    return db.session.scalars(select(LiveFigures).where(*row)).first()


def _forgotten(kept: LiveFigures) -> bool:
    return kept.forgotten_at is not None and kept.forgotten_at >= kept.computed_at


def figures(name: str, survey_id: int, *, wait: bool = True) -> Figures:
    """The figures `name` of the survey, kept or worked out now (see the module's notes).

    With `wait=False`, figures not yet kept (or forgotten) are left to the worker, if one is
    running, rather than worked out while the person waits: the result is then `pending`.
    """
    from .jobs import worker_running

    max_age = int(current_app.config["LIVE_FIGURES_SECONDS"])
    if max_age == 0:
        return Figures(FIGURES[name](survey_id), None)
    kept = _kept(name, survey_id)
    if kept is None or _forgotten(kept) or kept.computed_at == NEVER:
        if wait or not worker_running():
            return _work_out_and_keep(name, survey_id)
        if kept is None:
            _ask_for_first(name, survey_id)
        else:
            _ask_for_fresh(name, survey_id, max_age)
        return Figures({}, None, pending=True)
    values: dict[str, Any] = json.loads(kept.figures)
    stuck = False
    if kept.computed_at < _now() - dt.timedelta(seconds=max_age):
        _ask_for_fresh(name, survey_id, max_age)
        stuck = not worker_running()
    return Figures(values, kept.computed_at, stuck)


# The time of a row kept before its figures were first worked out.
NEVER = dt.datetime(2000, 1, 1)


def _ask_for_first(name: str, survey_id: int) -> None:
    """A row for figures not worked out yet, marked as asked for; whoever adds it queues the
    refresh (two views at once: one adds it, the other finds it)."""
    from .jobs import queue

    db.session.add(
        LiveFigures(
            name=_key(name),
            survey_id=survey_id,
            figures="{}",
            computed_at=NEVER,
            refresh_asked_at=_now(),
        )
    )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return
    try:
        queue().refresh_live(name, survey_id)
    except Exception:  # the queue is down: the next view asks again, after max_age
        log.exception("live figures %s: refresh could not be queued", name)


def _work_out_and_keep(name: str, survey_id: int) -> Figures:
    return _keep(_key(name), survey_id, lambda: FIGURES[name](survey_id))


def _keep(key: str, survey_id: int, work_out: Callable[[], dict[str, Any]]) -> Figures:
    begun = _now()
    values = work_out()
    try:
        text = json.dumps(values, allow_nan=False)
    except ValueError:  # a figure JSON cannot hold: not kept, never wrong
        log.warning("live figures %s not kept: not JSON", key)
        return Figures(values, None)
    row = LiveFigures.name == key, LiveFigures.survey_id == survey_id
    stored = rows_changed(
        db.session.execute(
            update(LiveFigures)
            .where(
                *row,
                # Never over newer figures, nor over a change made since these were begun.
                LiveFigures.computed_at <= begun,
                or_(LiveFigures.forgotten_at.is_(None), LiveFigures.forgotten_at <= begun),
            )
            .values(figures=text, computed_at=begun, refresh_asked_at=None, forgotten_at=None)
        )
    )
    if not stored and db.session.scalar(select(LiveFigures.survey_id).where(*row)) is None:
        db.session.add(LiveFigures(name=key, survey_id=survey_id, figures=text, computed_at=begun))
    try:
        db.session.commit()
    except IntegrityError:  # another view kept the same figures at the same moment
        db.session.rollback()
    return Figures(values, begun)


def _ask_for_fresh(name: str, survey_id: int, max_age: int) -> None:
    """Queue one refresh: the first view to mark the kept row queues it; the others, on any
    server, find it marked (until the refresh is done, or `max_age` more seconds have passed in
    case the worker lost it)."""
    from .jobs import queue

    now = _now()
    marked = rows_changed(
        db.session.execute(
            update(LiveFigures)
            .where(
                LiveFigures.name == _key(name),
                LiveFigures.survey_id == survey_id,
                or_(
                    LiveFigures.refresh_asked_at.is_(None),
                    LiveFigures.refresh_asked_at < now - dt.timedelta(seconds=max_age),
                ),
            )
            .values(refresh_asked_at=now)
        )
    )
    db.session.commit()
    if marked:
        try:
            queue().refresh_live(name, survey_id)
        except Exception:  # the queue is down: the kept figures stay, with their time
            log.exception("live figures %s: refresh could not be queued", name)


def kept_for_the_day(
    key: str, survey_id: int, day: dt.date, work_out: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    """Figures that stand as at the end of `day` (the partners': yesterday), which only a
    quality decision can change: worked out by the first view that wants them, then kept
    under `key` for that day, and those of earlier days dropped."""
    if int(current_app.config["LIVE_FIGURES_SECONDS"]) == 0:
        return work_out()
    dated = f"{key}/{day.isoformat()}/{SHAPE}"
    kept = _row(dated, survey_id)
    if kept is not None and not _forgotten(kept):
        values: dict[str, Any] = json.loads(kept.figures)
        return values
    db.session.execute(
        delete(LiveFigures).where(
            LiveFigures.survey_id == survey_id,
            LiveFigures.name.like(f"{key}/%"),
            LiveFigures.name != dated,
        )
    )
    return _keep(dated, survey_id, work_out).values


def refresh(name: str, survey_id: int) -> None:
    """Work the figures out again and keep them (the worker's task); nothing to do if someone
    has done so since the refresh was asked for (refreshes queued while the worker was busy)."""
    if name not in FIGURES:
        return
    kept = _kept(name, survey_id)
    if kept is not None and kept.refresh_asked_at is None and kept.forgotten_at is None:
        return
    _work_out_and_keep(name, survey_id)


def forget(survey_id: int) -> None:
    """Mark the kept figures of a survey as out of date at once, in the caller's transaction:
    what they count is changing. The next view works them out again; a refresh begun before
    now keeps nothing."""
    db.session.execute(
        update(LiveFigures).where(LiveFigures.survey_id == survey_id).values(forgotten_at=_now())
    )
