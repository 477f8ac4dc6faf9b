"""Response quality: spotting robots and repeat submissions without identifying anyone.

Open links invite robots and people who answer many times, and any `/s/<slug>` link can inflate
any partner's figures. Refusing responses at the door by network address would also turn away
real residents (a college network or a mobile carrier puts many people behind one address), so,
as mature survey platforms do, the service flags suspected responses for the analyst instead:

* completed implausibly fast: in fewer seconds than QUALITY_FAST_SECONDS, or than a third of the
  median time of the survey's timed responses once MEDIAN_AFTER of them are timed;
* identical answers in a burst: QUALITY_SAME_ANSWERS_BURST responses with the same answer to
  every closed question within its period (every one of them is flagged);
* a burst through one channel: responses through one channel beyond QUALITY_CHANNEL_BURST within
  its period (those beyond the limit are flagged).

No time of day is stored. The time taken is a length of time, measured from a start time kept
only in the resident's own session cookie; bursts are counted in the rate limiter's storage
(memory, or Redis shared by every worker), whose counters expire with their period. The analyst
reviews each group of suspected responses and excludes it from every figure or keeps it:
nothing is deleted, each decision is recorded with who made it and why, a decision can be
undone, and the reports state how many responses were excluded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import statistics
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app
from limits import RateLimitItem, parse
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import ColumnElement, and_, case, func, or_, select, update

from reporting import response_quality

from . import live
from .database import rows_changed
from .extensions import db, limiter
from .models import Channel, Partner, QualityDecision, Response
from .questionnaire import Questionnaire

log = logging.getLogger(__name__)

FAST = "fast"
SAME_ANSWERS = "same_answers"
CHANNEL_BURST = "channel_burst"
# The signs in the words the reports use (reporting.response_quality).
SIGNS = response_quality.SIGNS
# The median time is a fair yardstick only once enough responses are timed.
MEDIAN_AFTER = 30
# A session start older than this is not a start worth measuring from.
LONGEST_DURATION = 60 * 60 * 24 * 60
# The windows count every submission up to this many; far above any limit that makes sense.
COUNTER_CEILING = 1_000_000
NO_CHANNEL = 0


# -- At submission ---------------------------------------------------------------------------


def started_now() -> int:
    """The start time to keep in the resident's own session cookie (never stored)."""
    return int(time.time())


def seconds_taken(started: Any, now: float | None = None) -> int | None:
    """Whole seconds from the session's start to now; None if the start is missing or absurd."""
    if not isinstance(started, int | float) or isinstance(started, bool):
        return None
    elapsed = (time.time() if now is None else now) - started
    if elapsed < 0 or elapsed > LONGEST_DURATION:
        return None
    return int(elapsed)


def answer_pattern(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> str:
    """A short fingerprint of the answers to every closed question (free text left out, so a
    robot cannot hide a repeated pattern behind a different comment)."""
    closed = {k: v for k, v in answers.items() if k not in questionnaire.free_text_keys}
    text = json.dumps(closed, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _counter(limit_text: str) -> tuple[RateLimitItem, int]:
    """The configured limit's period as a counter that records every hit, and the limit."""
    limit = parse(limit_text)
    return type(limit)(COUNTER_CEILING, limit.multiples, limit.namespace), limit.amount


def _count_in_window(counter: RateLimitItem, *identifiers: str) -> int:
    """Count one more submission in a moving window; return how many the window now holds."""
    strategy = MovingWindowRateLimiter(limiter.storage)
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or ""
    keys = (prefix, "quality", *identifiers)
    strategy.hit(counter, *keys)
    return COUNTER_CEILING - strategy.get_window_stats(counter, *keys).remaining


def note_bursts(response_id: int, pattern: str | None, today: dt.date) -> None:
    """Count a just-submitted response in the burst windows, and flag what they show.

    Never raises for the counters' sake: if their storage (Redis) is unavailable the resident's
    submission stands, unchecked for bursts, and a warning is logged.
    """
    response = db.session.get_one(Response, response_id)
    config = current_app.config
    same_counter, same_limit = _counter(config["QUALITY_SAME_ANSWERS_BURST"])
    channel_counter, channel_limit = _counter(config["QUALITY_CHANNEL_BURST"])
    survey = str(response.survey_id)
    try:
        same = _count_in_window(same_counter, "answers", survey, pattern or "")
        through_channel = _count_in_window(
            channel_counter, "channel", survey, str(response.channel_id or NO_CHANNEL)
        )
    except Exception:  # any storage failure: the submission matters more than the check
        log.warning("response-quality counters unavailable; submission not checked for bursts")
        return
    if pattern and same >= same_limit:
        # The whole burst is suspect, the responses before the limit was reached included:
        # they are found by their identical answers among those submitted in the period.
        period_days = max(1, -(-same_counter.get_expiry() // 86_400))
        db.session.execute(
            update(Response)
            .where(
                Response.survey_id == response.survey_id,
                Response.status == "submitted",
                Response.answer_pattern == pattern,
                Response.submitted_on >= today - dt.timedelta(days=period_days),
                Response.quality_decision_id.is_(None),
                # Only those not flagged yet: a long burst would otherwise rewrite them all at
                # every submit.
                Response.same_answers_burst.is_(False),
            )
            .values(same_answers_burst=True)
        )
    if through_channel > channel_limit:
        db.session.execute(
            update(Response).where(Response.id == response.id).values(channel_burst=True)
        )
    db.session.commit()


# -- The analyst's review --------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """How long residents took, and below what time a response counts as implausibly fast."""

    timed: int
    median_seconds: int | None
    fast_below: int


def timing(survey_id: int) -> Timing:
    floor = int(current_app.config["QUALITY_FAST_SECONDS"])
    durations = Response.duration_seconds
    timed = db.session.scalar(
        select(func.count()).where(
            Response.survey_id == survey_id,
            Response.status == "submitted",
            durations.is_not(None),
        )
    )
    timed = int(timed or 0)
    if timed == 0:
        return Timing(0, None, floor)
    # The median from the one or two middle rows, found by the database (portable to both).
    middle = db.session.scalars(
        select(durations)
        .where(
            Response.survey_id == survey_id,
            Response.status == "submitted",
            durations.is_not(None),
        )
        .order_by(durations)
        .offset((timed - 1) // 2)
        .limit(2 - timed % 2)
    ).all()
    median = int(statistics.median([seconds for seconds in middle if seconds is not None]))
    fast_below = max(floor, median // 3) if timed >= MEDIAN_AFTER else floor
    return Timing(timed, median, fast_below)


def _undecided(survey_id: int) -> ColumnElement[bool]:
    return and_(
        Response.survey_id == survey_id,
        Response.status == "submitted",
        Response.quality_decision_id.is_(None),
    )


def _sign_condition(sign: str, fast_below: int) -> ColumnElement[bool]:
    if sign == FAST:
        return Response.duration_seconds < fast_below
    if sign == SAME_ANSWERS:
        return Response.same_answers_burst.is_(True)
    if sign == CHANNEL_BURST:
        return Response.channel_burst.is_(True)
    raise ValueError(f"unknown sign {sign!r}")


def _group_condition(sign: str, key: str, fast_below: int) -> ColumnElement[bool] | None:
    """Members of one group, from the key the review page gave it; None if the key is not one."""
    condition = _sign_condition(sign, fast_below)
    if sign == SAME_ANSWERS:
        return and_(condition, Response.answer_pattern == key) if key else None
    channel_text, _, day_text = key.partition("/")
    if not channel_text.isdigit() or len(channel_text) > 12:
        return None
    channel_id = int(channel_text)
    channel = (
        Response.channel_id.is_(None)
        if channel_id == NO_CHANNEL
        else Response.channel_id == channel_id
    )
    if sign == FAST:
        return and_(condition, channel) if not day_text else None
    try:
        day = dt.date.fromisoformat(day_text)
    except ValueError:
        return None
    return and_(condition, channel, Response.submitted_on == day)


@dataclass(frozen=True)
class Group:
    """Suspected responses that share a sign and are decided together."""

    sign: str
    key: str
    count: int
    first_day: dt.date | None
    last_day: dt.date | None
    channels: list[tuple[str, int]]
    median_seconds: int | None
    example_answers: dict[str, Any] | None = None

    @property
    def sign_label(self) -> str:
        return SIGNS[self.sign]


def _channel_names(survey_id: int, condition: ColumnElement[bool]) -> list[tuple[str, int]]:
    rows = db.session.execute(
        select(Channel.name, Partner.name, func.count())
        .select_from(Response)
        .outerjoin(Channel, Channel.id == Response.channel_id)
        .outerjoin(Partner, Partner.id == Channel.partner_id)
        .where(_undecided(survey_id), condition)
        .group_by(Channel.name, Partner.name)
        .order_by(func.count().desc(), Channel.name)
    ).all()
    return [
        (f"{name} ({partner})" if name else "No channel link", int(count))
        for name, partner, count in rows
    ]


def _describe(survey_id: int, sign: str, key: str, condition: ColumnElement[bool]) -> Group:
    count, first_day, last_day = db.session.execute(
        select(func.count(), func.min(Response.submitted_on), func.max(Response.submitted_on))
        .select_from(Response)
        .where(_undecided(survey_id), condition)
    ).one()
    durations = db.session.scalars(
        select(Response.duration_seconds).where(
            _undecided(survey_id), condition, Response.duration_seconds.is_not(None)
        )
    ).all()
    taken = [seconds for seconds in durations if seconds is not None]
    example = None
    if sign == SAME_ANSWERS:
        example = db.session.scalars(
            select(Response.answers).where(_undecided(survey_id), condition).limit(1)
        ).first()
    return Group(
        sign=sign,
        key=key,
        count=int(count),
        first_day=first_day,
        last_day=last_day,
        channels=_channel_names(survey_id, condition),
        median_seconds=int(statistics.median(taken)) if taken else None,
        example_answers=example,
    )


def groups_to_review(survey_id: int, fast_below: int) -> list[Group]:
    """Every group of suspected responses not yet decided, the largest first within each sign."""
    keys: list[tuple[str, str]] = []
    patterns = db.session.scalars(
        select(Response.answer_pattern)
        .where(_undecided(survey_id), _sign_condition(SAME_ANSWERS, fast_below))
        .group_by(Response.answer_pattern)
        .order_by(func.count().desc(), Response.answer_pattern)
    ).all()
    keys += [(SAME_ANSWERS, pattern) for pattern in patterns if pattern]
    for channel_id, day in db.session.execute(
        select(Response.channel_id, Response.submitted_on)
        .where(_undecided(survey_id), _sign_condition(CHANNEL_BURST, fast_below))
        .group_by(Response.channel_id, Response.submitted_on)
        .order_by(func.count().desc(), Response.submitted_on)
    ):
        assert day is not None, "a submitted response has the day it was submitted"
        keys.append((CHANNEL_BURST, f"{channel_id or NO_CHANNEL}/{day.isoformat()}"))
    for (channel_id,) in db.session.execute(
        select(Response.channel_id)
        .where(_undecided(survey_id), _sign_condition(FAST, fast_below))
        .group_by(Response.channel_id)
        .order_by(func.count().desc())
    ):
        keys.append((FAST, str(channel_id or NO_CHANNEL)))
    groups = []
    for sign, key in keys:
        condition = _group_condition(sign, key, fast_below)
        assert condition is not None  # the keys were made above
        groups.append(_describe(survey_id, sign, key, condition))
    return groups


@dataclass(frozen=True)
class Overview:
    to_review: int
    excluded: int
    kept: int


def overview(survey_id: int, fast_below: int) -> Overview:
    """How many responses await review (once each, whatever their signs), were excluded, kept."""
    any_sign = or_(*(_sign_condition(sign, fast_below) for sign in SIGNS))
    decided = Response.quality_decision_id.is_not(None)
    to_review, excluded, kept = db.session.execute(
        select(
            _count_where(and_(~decided, any_sign)),
            _count_where(and_(decided, Response.excluded.is_(True))),
            _count_where(and_(decided, Response.excluded.is_(False))),
        ).where(Response.survey_id == survey_id, Response.status == "submitted")
    ).one()
    return Overview(int(to_review), int(excluded), int(kept))


def _count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


class DecisionError(ValueError):
    """The decision cannot be made as asked; the message says why, for the analyst."""


def decide(
    *,
    survey_id: int,
    sign: str,
    key: str,
    expected: int,
    action: str,
    reason: str,
    user_id: int | None,
    now: dt.datetime | None = None,
) -> QualityDecision:
    """Exclude or keep one group of suspected responses, recording who decided and why."""
    if sign not in SIGNS or action not in ("exclude", "keep"):
        raise DecisionError("Choose whether to exclude or keep these responses")
    fast_below = timing(survey_id).fast_below
    condition = _group_condition(sign, key, fast_below)
    if condition is None:
        raise DecisionError("That group of responses does not exist")
    group = _describe(survey_id, sign, key, condition)
    if group.count == 0:
        raise DecisionError("These responses have been decided already")
    if group.count != expected:
        raise DecisionError(
            f"This group has changed since the page was shown: it now holds {group.count:,} "
            "responses. Look at it again before deciding"
        )
    decision = QualityDecision(
        survey_id=survey_id,
        action=action,
        sign=sign,
        group_description=describe_group(group)[:400],
        reason=reason,
        response_count=group.count,
        made_by_user_id=user_id,
        made_at=now or dt.datetime.now(dt.UTC).replace(tzinfo=None),
    )
    db.session.add(decision)
    db.session.flush()
    db.session.execute(
        update(Response)
        .where(_undecided(survey_id), condition)
        .values(quality_decision_id=decision.id, excluded=action == "exclude")
    )
    live.forget(survey_id)  # the dashboard's kept figures counted these responses
    db.session.commit()
    return decision


def undo(
    decision_id: int, *, reason: str, user_id: int | None, now: dt.datetime | None = None
) -> QualityDecision:
    """Return a decision's responses to review, recording the undoing as a decision itself."""
    original = db.session.get(QualityDecision, decision_id)
    if original is None or original.action == "undo":
        raise DecisionError("That decision does not exist")
    if original.undone_by_id is not None:
        raise DecisionError("That decision has been undone already")
    undoing = QualityDecision(
        survey_id=original.survey_id,
        action="undo",
        sign=original.sign,
        group_description=f"Undid decision {original.id}: {original.group_description}"[:400],
        reason=reason,
        response_count=0,
        made_by_user_id=user_id,
        made_at=now or dt.datetime.now(dt.UTC).replace(tzinfo=None),
    )
    db.session.add(undoing)
    db.session.flush()
    returned = rows_changed(
        db.session.execute(
            update(Response)
            .where(Response.quality_decision_id == original.id)
            .values(quality_decision_id=None, excluded=False)
        )
    )
    undoing.response_count = int(returned)
    original.undone_by_id = undoing.id
    live.forget(original.survey_id)
    db.session.commit()
    return undoing


def decisions(survey_id: int) -> Sequence[QualityDecision]:
    return db.session.scalars(
        select(QualityDecision)
        .where(QualityDecision.survey_id == survey_id)
        .order_by(QualityDecision.id.desc())
    ).all()


def describe_group(group: Group) -> str:
    days = (
        _day(group.first_day)
        if group.first_day == group.last_day
        else f"{_day(group.first_day)} to {_day(group.last_day)}"
    )
    channels = ", ".join(name for name, _count in group.channels[:3])
    if len(group.channels) > 3:
        channels += f" and {len(group.channels) - 3} more"
    return f"{group.sign_label}: {group.count:,} responses, {days}, through {channels}"


def _day(day: dt.date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else "no date"


def limit_words(limit_text: str) -> tuple[int, str]:
    """A burst limit's number and its period in words: (30, "within 10 minutes")."""
    limit = parse(limit_text)
    unit = limit.GRANULARITY.name
    if limit.multiples == 1:
        return limit.amount, f"within {'an' if unit == 'hour' else 'a'} {unit}"
    return limit.amount, f"within {limit.multiples} {unit}s"


def sign_rules(fast_below: int) -> dict[str, str]:
    """What each sign means with this service's settings, for the analyst's review page."""
    same, same_period = limit_words(current_app.config["QUALITY_SAME_ANSWERS_BURST"])
    burst, burst_period = limit_words(current_app.config["QUALITY_CHANNEL_BURST"])
    return {
        FAST: f"completed in under {duration_words(fast_below)}",
        SAME_ANSWERS: (
            f"{same} or more responses {same_period} with the same answer to every closed "
            "question (comments aside); all of them are flagged"
        ),
        CHANNEL_BURST: (
            f"more than {burst} responses {burst_period} through one channel; those after the "
            f"first {burst} are flagged"
        ),
    }


def duration_words(seconds: int | None) -> str:
    """A length of time as people say it: "45 seconds", "6 min 12 s", "2 h 5 min"."""
    if seconds is None:
        return "not timed"
    if seconds < 60:
        return f"{seconds}\u00a0second{'s' if seconds != 1 else ''}"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}\u00a0min {secs}\u00a0s" if secs else f"{minutes}\u00a0min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}\u00a0h {minutes}\u00a0min" if minutes else f"{hours}\u00a0h"
    return f"{hours // 24}\u00a0days"
