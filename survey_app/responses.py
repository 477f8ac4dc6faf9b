"""Residents' responses: save after each page, resume, submit exactly once, start again.

Nothing here knows about requests; the public blueprint passes in the session's token.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import get_locale
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer

from .database import rows_changed
from .extensions import db
from .languages import SERVED_LANGUAGES, SOURCE_LANGUAGE
from .models import DERIVED_DIMENSIONS, Channel, Response, Survey, SurveyTranslation
from .quality import answer_pattern
from .questionnaire import Page, Questionnaire
from .questionnaire.derive import derive_dimensions
from .questionnaire.handler_base import without_control_characters
from .tokens import token_hash

# No 0/O or 1/I/L: references are read aloud over the phone.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_reference() -> str:
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


def today() -> dt.date:
    return dt.date.today()


@dataclass(frozen=True)
class ChannelVisit:
    """What a channel link recorded before the resident's first page."""

    slug: str | None = None
    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None

    @classmethod
    def from_session(cls, data: Mapping[str, Any] | None) -> ChannelVisit:
        data = data or {}
        # Cleaned here as well as where the link is read: a session from before that cleaning
        # may still carry a control character, which no stored string may hold.
        return cls(
            **{
                key: without_control_characters(value) if isinstance(value, str) else None
                for key in ("slug", "utm_source", "utm_medium", "utm_campaign")
                for value in (data.get(key),)
            }
        )


SurveyKey = tuple[str, int, str]  # slug, version, language


class ParsedQuestionnaires:
    """Each survey's questionnaire, parsed once per process, and the survey served last.

    A definition never changes once loaded (a change is a new version), so it is parsed once.
    The survey served last lets a page posted while the database is down be shown again, with
    the resident's answers, instead of an error (see public.routes).
    """

    def __init__(self) -> None:
        self._by_survey_id: dict[tuple[int, str], Questionnaire] = {}
        self._languages: dict[int, frozenset[str]] = {}
        self._last_served: int | None = None

    def for_survey(self, survey: Survey, language: str = SOURCE_LANGUAGE) -> Questionnaire:
        """The survey's questionnaire in `language` if it has a complete translation, else in
        English."""
        if language not in self.languages(survey):
            language = SOURCE_LANGUAGE
        key = (survey.id, language)
        if key not in self._by_survey_id:
            if language == SOURCE_LANGUAGE:
                definition = survey.definition
            else:
                definition = db.session.scalars(
                    select(SurveyTranslation.definition).where(
                        SurveyTranslation.survey_id == survey.id,
                        SurveyTranslation.language == language,
                    )
                ).one()
            self._by_survey_id[key] = Questionnaire(definition)
        return self._by_survey_id[key]

    def languages(self, survey: Survey) -> frozenset[str]:
        """The languages the survey's questionnaire is completely translated into (and English)."""
        if survey.id not in self._languages:
            rows = db.session.execute(
                select(SurveyTranslation.language, SurveyTranslation.missing).where(
                    SurveyTranslation.survey_id == survey.id
                )
            )
            complete = {language for language, missing in rows if not missing}
            self._languages[survey.id] = frozenset({SOURCE_LANGUAGE, *complete})
        return self._languages[survey.id]

    def served(self, survey: Survey) -> None:
        self._last_served = survey.id
        # Pages that do not look the survey up (the privacy notice) offer the same languages.
        current_app.extensions[SERVED_LANGUAGES] = self.languages(survey)

    def last_served(self) -> tuple[SurveyKey, Questionnaire] | None:
        """The questionnaire last served, in the page's language, if this process has it."""
        if self._last_served is None:
            return None
        locale = get_locale()
        language = str(locale) if locale else SOURCE_LANGUAGE
        # Only in the page's language: a page drawn in another would mix the two, and be kept.
        questionnaire = self._by_survey_id.get((self._last_served, language))
        return (questionnaire.key, questionnaire) if questionnaire is not None else None


PARSED_QUESTIONNAIRES = "safermk_parsed_questionnaires"


def parsed_questionnaires() -> ParsedQuestionnaires:
    """This app's parsed questionnaires (one set per app, so each test's app starts afresh)."""
    parsed = current_app.extensions.get(PARSED_QUESTIONNAIRES)
    if parsed is None:
        parsed = current_app.extensions[PARSED_QUESTIONNAIRES] = ParsedQuestionnaires()
    return parsed


def questionnaire_for(survey: Survey, language: str = SOURCE_LANGUAGE) -> Questionnaire:
    return parsed_questionnaires().for_survey(survey, language)


def survey_languages(survey: Survey) -> frozenset[str]:
    return parsed_questionnaires().languages(survey)


# Asked on every resident's request, so each statement is built once. The definition is loaded
# only when this process has not parsed it yet (questionnaire_for).
OPEN_SURVEY = (
    select(Survey)
    .options(defer(Survey.definition))
    .where(Survey.status == "open")
    .order_by(Survey.id.desc())
    .limit(1)
)
RESPONSE_BY_TOKEN_HASH = select(Response).where(Response.token_hash == bindparam("token_hash"))
# Both at once, for a resident's request: one round trip to the database instead of two.
OPEN_SURVEY_AND_RESPONSE = (
    select(Survey, Response)
    .options(defer(Survey.definition))
    .outerjoin(Response, Response.token_hash == bindparam("token_hash"))
    .where(Survey.status == "open")
    .order_by(Survey.id.desc())
    .limit(1)
)


def open_survey() -> Survey | None:
    """The survey residents are answering now: the newest open one."""
    survey = db.session.scalars(OPEN_SURVEY).first()
    if survey is not None:
        parsed_questionnaires().served(survey)
    return survey


def open_survey_and_response(token: str | None) -> tuple[Survey | None, Response | None]:
    """The open survey, and the response the token holds (of whichever survey it is)."""
    if not token:
        return open_survey(), None
    row = db.session.execute(OPEN_SURVEY_AND_RESPONSE, {"token_hash": token_hash(token)}).first()
    if row is None:
        return None, None
    survey, response = row
    parsed_questionnaires().served(survey)
    return survey, response


def last_served_questionnaire() -> tuple[SurveyKey, Questionnaire] | None:
    """The survey this process last served, for re-showing a page while the database is down."""
    return parsed_questionnaires().last_served()


def find_response(token: str | None) -> Response | None:
    if not token:
        return None
    return db.session.scalars(RESPONSE_BY_TOKEN_HASH, {"token_hash": token_hash(token)}).first()


def resumable(response: Response | None, resume_days: int) -> Response | None:
    """The resident's unfinished response, if it is recent enough to pick up again."""
    if response is None or response.status != "in_progress":
        return response
    if (today() - response.last_saved_on).days > resume_days:
        return None
    return response


def _apply_channel(response: Response, visit: ChannelVisit) -> None:
    response.utm_source, response.utm_medium = visit.utm_source, visit.utm_medium
    response.utm_campaign = visit.utm_campaign
    if not visit.slug:
        return
    channel = db.session.scalars(select(Channel).where(Channel.slug == visit.slug)).first()
    if channel is None:
        response.unknown_channel_slug = visit.slug
    else:
        response.channel_id = channel.id


def _set_answers(response: Response, questionnaire: Questionnaire, answers: dict[str, Any]) -> None:
    response.answers = questionnaire.prune(answers)
    for name, value in derive_dimensions(questionnaire, response.answers).items():
        if name in DERIVED_DIMENSIONS:
            setattr(response, name, value)


class TokenSpent(Exception):
    """The token's response takes no more answers: it was submitted, or is of another survey.

    The caller gives the resident a new token (a new response) and saves again.
    """


@dataclass(frozen=True)
class SavedPage:
    """A response's answers and finished pages as they stand after a save."""

    answers: dict[str, Any]
    pages_done: list[str]


def save_page(
    *,
    survey: Survey,
    token: str,
    page: Page,
    page_answers: dict[str, Any],
    visit: ChannelVisit,
    source: str = "online",
    entered_by_user_id: int | None = None,
    current: Response | None = None,
    language: str = SOURCE_LANGUAGE,
) -> SavedPage:
    """Store one page's answers, creating the response on the resident's first page.

    current: the response the caller has already looked up for this token, if any (saves
    looking it up again). Raises TokenSpent if the token's response can take no more answers,
    and SQLAlchemyError if the database fails; the caller keeps the answers on screen.
    """
    questionnaire = questionnaire_for(survey)
    if current is not None and current.token_hash == token_hash(token):
        response: Response | None = current
    else:
        response = find_response(token)
    if response is not None and (
        response.status != "in_progress" or response.survey_id != survey.id
    ):
        raise TokenSpent
    if response is None:
        response = Response(
            survey_id=survey.id,
            token_hash=token_hash(token),
            status="in_progress",
            source=source,
            started_on=today(),
            last_saved_on=today(),
            answers={},
            pages_done=[],
        )
        _apply_channel(response, visit)
        db.session.add(response)
    # The language the resident answers in (the latest, if they change it on the way).
    response.language = language
    answers = {k: v for k, v in (response.answers or {}).items() if k not in page.answer_keys}
    answers.update(page_answers)
    _set_answers(response, questionnaire, answers)
    visible = {p.id for p in questionnaire.visible_pages(response.answers)}
    response.pages_done = [
        p for p in dict.fromkeys([*(response.pages_done or []), page.id]) if p in visible
    ]
    response.last_saved_on = today()
    if entered_by_user_id is not None:
        response.entered_by_user_id = entered_by_user_id
    # Taken before the commit, which expires the object: reading it afterwards would load it
    # from the database again.
    saved = SavedPage(dict(response.answers), list(response.pages_done))
    try:
        db.session.commit()
    except IntegrityError:
        # Two saves of a first page raced (a double click); the other one created the row.
        db.session.rollback()
        existing = find_response(token)
        if existing is None:
            raise
        return save_page(
            survey=survey,
            token=token,
            page=page,
            page_answers=page_answers,
            visit=visit,
            source=source,
            entered_by_user_id=entered_by_user_id,
            current=existing,
        )
    return saved


@dataclass(frozen=True)
class SubmitResult:
    reference: str
    already_submitted: bool
    response_id: int


@dataclass(frozen=True)
class QualitySigns:
    """What survey_app.quality records of a resident's response as it is submitted."""

    duration_seconds: int | None = None
    answer_pattern: str | None = None


def submit(response: Response, signs: QualitySigns | None = None) -> SubmitResult:
    """Mark the response submitted. Safe to repeat: a replayed submit changes nothing."""
    response_id = response.id
    extra = {} if signs is None else vars(signs)
    for _attempt in range(5):
        reference = new_reference()
        try:
            result = db.session.execute(
                update(Response)
                .where(Response.id == response_id, Response.status == "in_progress")
                .values(status="submitted", submitted_on=today(), reference=reference, **extra)
            )
            db.session.commit()
        except IntegrityError:
            db.session.rollback()  # the reference was taken; draw another
            continue
        if rows_changed(result) == 1:
            return SubmitResult(reference, already_submitted=False, response_id=response_id)
        # Submitted already (a replay, or another tab got there first): report that reference.
        db.session.refresh(response)
        return SubmitResult(
            response.reference or reference, already_submitted=True, response_id=response_id
        )
    raise RuntimeError("Could not draw an unused reference")


def discard(token: str | None) -> None:
    """Forget an unfinished response entirely (start again, or a resident under 16)."""
    response = find_response(token)
    if response is not None and response.status == "in_progress":
        db.session.delete(response)
        db.session.commit()


def submitted_row(
    questionnaire: Questionnaire,
    survey_id: int,
    answers: dict[str, Any],
    submitted: dt.date,
    *,
    source: str,
    channel_id: int | None = None,
    language: str = SOURCE_LANGUAGE,
    duration_seconds: int | None = None,
) -> dict[str, Any]:
    """A whole submitted response as a row for a bulk insert (demo data, an imported wave):
    the pages the answers lead through, the census groups derived from them and the answer
    pattern the quality checks compare, as for a response submitted online."""
    row: dict[str, Any] = {
        "survey_id": survey_id,
        "token_hash": None,
        "reference": None,
        "status": "submitted",
        "source": source,
        "channel_id": channel_id,
        "unknown_channel_slug": None,
        "language": language,
        "utm_source": None,
        "utm_medium": None,
        "utm_campaign": None,
        "started_on": submitted,
        "last_saved_on": submitted,
        "submitted_on": submitted,
        "answers": answers,
        "pages_done": [page.id for page in questionnaire.visible_pages(answers)],
        "duration_seconds": duration_seconds,
        "answer_pattern": answer_pattern(questionnaire, answers),
    }
    row.update(
        (name, value)
        for name, value in derive_dimensions(questionnaire, answers).items()
        if name in DERIVED_DIMENSIONS
    )
    return row
