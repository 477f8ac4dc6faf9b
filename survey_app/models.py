"""Database tables. The schema itself is made only by the Alembic migrations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    and_,
    false,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from .extensions import Model

SURVEY_STATUSES = ("open", "closed")
RESPONSE_STATUSES = ("in_progress", "submitted")
RESPONSE_SOURCES = ("online", "paper", "demo", "imported")

# The census dimensions derived from a response's answers; reports GROUP BY these columns.
DERIVED_DIMENSIONS = (
    "age_band",
    "age_group",
    "sex",
    "ethnic_group",
    "sexual_orientation",
    "lgb_plus",
    "disability",
    "tenure",
    "parent_under_40",
    "ward",
)


class Survey(Model):
    """One wave of a survey: a round of fieldwork (one a year, say). The waves of a survey share
    its slug and are numbered; each has its own questionnaire `version`, which may be the
    previous wave's. An imported wave holds responses collected elsewhere (`imported_from`
    names the file), never mixed with the service's own."""

    __tablename__ = "surveys"
    __table_args__ = (UniqueConstraint("slug", "wave", name="uq_surveys_slug_wave"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80))
    wave: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    version: Mapped[int] = mapped_column(Integer)
    imported_from: Mapped[str | None] = mapped_column(String(300))
    title: Mapped[str] = mapped_column(String(200))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="closed")
    opened_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())

    @property
    def label(self) -> str:
        return f"{self.slug} wave {self.wave}, questionnaire v{self.version}"

    @property
    def ref(self) -> str:
        """How commands name this wave: SLUG:WAVE."""
        return f"{self.slug}:{self.wave}"


class SurveyTranslation(Model):
    """A survey's questionnaire in another language, as loaded from its translation catalogue.

    `missing` lists the places still in English: a language with any is not offered.
    """

    __tablename__ = "survey_translations"
    __table_args__ = (UniqueConstraint("survey_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    language: Mapped[str] = mapped_column(String(10))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    missing: Mapped[list[str]] = mapped_column(JSON, default=list)
    review_status: Mapped[str] = mapped_column(String(200))
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())


class Partner(Model):
    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)

    channels: Mapped[list[Channel]] = relationship(back_populates="partner")


class Channel(Model):
    __tablename__ = "channels"
    # Names are unique within a partner (compared without regard to case in channel_admin), so
    # no list shows two identical entries.
    __table_args__ = (Index("uq_channels_partner_name", "partner_id", "name", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_on: Mapped[dt.date] = mapped_column(Date, default=dt.date.today)

    partner: Mapped[Partner] = relationship(back_populates="channels")


class Response(Model):
    """One resident's answers. Holds nothing that identifies them: no IP, no user agent, no
    times of day.

    `token_hash` is a hash of the random token in the resident's session cookie, so the same
    browser can resume; the token itself is never stored.
    """

    __tablename__ = "responses"
    __table_args__ = (
        Index("ix_responses_survey_status", "survey_id", "status"),
        Index("ix_responses_survey_channel", "survey_id", "channel_id"),
        Index("ix_responses_survey_pattern", "survey_id", "answer_pattern"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    reference: Mapped[str | None] = mapped_column(String(12), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="in_progress")
    source: Mapped[str] = mapped_column(String(10), default="online")
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channels.id"))
    unknown_channel_slug: Mapped[str | None] = mapped_column(String(60))
    # The language the resident answered in ("en", "pl"...). Answers are stored as option
    # values whatever the language; free text stays as written.
    language: Mapped[str] = mapped_column(String(10), default="en", server_default="en")
    utm_source: Mapped[str | None] = mapped_column(String(100))
    utm_medium: Mapped[str | None] = mapped_column(String(100))
    utm_campaign: Mapped[str | None] = mapped_column(String(100))
    started_on: Mapped[dt.date] = mapped_column(Date)
    last_saved_on: Mapped[dt.date] = mapped_column(Date)
    submitted_on: Mapped[dt.date | None] = mapped_column(Date)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    pages_done: Mapped[list[str]] = mapped_column(JSON, default=list)

    age_band: Mapped[str | None] = mapped_column(String(20))
    age_group: Mapped[str | None] = mapped_column(String(20))
    sex: Mapped[str | None] = mapped_column(String(20))
    ethnic_group: Mapped[str | None] = mapped_column(String(20))
    sexual_orientation: Mapped[str | None] = mapped_column(String(20))
    lgb_plus: Mapped[str | None] = mapped_column(String(20))
    disability: Mapped[str | None] = mapped_column(String(20))
    tenure: Mapped[str | None] = mapped_column(String(20))
    parent_under_40: Mapped[str | None] = mapped_column(String(20))
    ward: Mapped[str | None] = mapped_column(String(60))
    # Set only for paper questionnaires typed in by staff; residents online have no user.
    entered_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    # Response quality (see survey_app.quality): how long the resident took in whole seconds
    # (a length of time, never a time of day), a short hash of the closed answers, the bursts
    # the response arrived in, and the analyst's decision. Excluded responses are kept but
    # counted in no report.
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    answer_pattern: Mapped[str | None] = mapped_column(String(16))
    same_answers_burst: Mapped[bool] = mapped_column(Boolean, default=False)
    channel_burst: Mapped[bool] = mapped_column(Boolean, default=False)
    excluded: Mapped[bool] = mapped_column(Boolean, default=False)
    quality_decision_id: Mapped[int | None] = mapped_column(ForeignKey("quality_decisions.id"))

    survey: Mapped[Survey] = relationship()
    channel: Mapped[Channel | None] = relationship()


def counted_responses(survey_id: int) -> ColumnElement[bool]:
    """Responses every figure counts: submitted and not excluded by the analyst as suspected
    (the web app's twin of reporting.queries.counted)."""
    return and_(
        Response.survey_id == survey_id,
        Response.status == "submitted",
        Response.excluded == false(),
    )


QUALITY_ACTIONS = ("exclude", "keep", "undo")


class QualityDecision(Model):
    """The analyst's decision about a group of suspected responses: exclude them from reports or
    keep them, with the reason in the analyst's words. Decisions are never edited or deleted;
    an undone decision points at the decision that undid it."""

    __tablename__ = "quality_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    action: Mapped[str] = mapped_column(String(20))
    sign: Mapped[str] = mapped_column(String(40))
    group_description: Mapped[str] = mapped_column(String(400))
    reason: Mapped[str] = mapped_column(Text)
    response_count: Mapped[int] = mapped_column(Integer)
    made_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    made_at: Mapped[dt.datetime] = mapped_column(DateTime)
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("quality_decisions.id"))

    made_by: Mapped[User | None] = relationship(foreign_keys=[made_by_user_id])


USER_ROLES = ("analyst", "partner")


class User(Model):
    """A member of staff: the analyst, or someone at a partner organisation.

    `session_nonce` is part of the identifier kept in the session cookie; changing it (on a
    password change) signs the user out of every other browser at once. The set-password
    token is stored only as a hash, like the password.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    session_nonce: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    password_token_expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_on: Mapped[dt.date] = mapped_column(Date, default=dt.date.today)

    partner: Mapped[Partner | None] = relationship()

    @property
    def is_analyst(self) -> bool:
        return self.role == "analyst"

    @property
    def is_partner(self) -> bool:
        return self.role == "partner"

    # Flask-Login's user interface, written out so the model has no mixin base.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return bool(self.active) and self.password_hash is not None

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_nonce}"


class PopulationBenchmark(Model):
    """Census (or other) population counts that the sample is compared with."""

    __tablename__ = "population_benchmarks"
    __table_args__ = (UniqueConstraint("source", "dimension", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dimension: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(200))
    count: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)


class ReportFile(Model):
    """A report or export made from the analyst's pages, kept in the database so that every
    server behind a load balancer can list and serve it. Its bytes are in ReportFileChunk rows,
    so a large export is read and sent a chunk at a time."""

    __tablename__ = "report_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id"))
    made_at: Mapped[dt.datetime] = mapped_column(DateTime)
    made_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    holds_free_text: Mapped[bool] = mapped_column(Boolean, default=False)
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)

    made_by: Mapped[User | None] = relationship()


class ReportFileChunk(Model):
    __tablename__ = "report_file_chunks"

    file_id: Mapped[int] = mapped_column(
        ForeignKey("report_files.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


JOB_STATUSES = ("queued", "running", "done", "failed")
ACTIVE_JOB_STATUSES = ("queued", "running")


class Job(Model):
    """A report or export made by the background worker. The worker writes its progress here,
    so any server can show it; a second request for the same work (same `key`) while one is
    queued or running joins it, which the partial unique index makes certain even when two
    requests arrive at once. The id is random: it is the address of the job's page."""

    __tablename__ = "jobs"
    __table_args__ = (
        Index(
            "uq_jobs_active_key",
            "key",
            unique=True,
            sqlite_where=text("status IN ('queued', 'running')"),
            postgresql_where=text("status IN ('queued', 'running')"),
        ),
        Index("ix_jobs_created_at", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(200))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id"))
    status: Mapped[str] = mapped_column(String(10), default="queued")
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    step: Mapped[str] = mapped_column(String(200), default="")
    message: Mapped[str | None] = mapped_column(Text)
    files: Mapped[list[str]] = mapped_column(JSON, default=list)
    requested_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # Touched every few seconds while the job runs: a running job that stops being touched
    # belonged to a worker that stopped.
    touched_at: Mapped[dt.datetime] = mapped_column(DateTime)

    requested_by: Mapped[User | None] = relationship()


class WorkerBeat(Model):
    """When each background worker was last seen: the health check, and the job page's
    warning when no worker is running."""

    __tablename__ = "worker_beats"

    worker: Mapped[str] = mapped_column(String(200), primary_key=True)
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime)


class LiveFigures(Model):
    """The dashboard's and portal's costly figures as last worked out (survey_app.live)."""

    __tablename__ = "live_figures"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True
    )
    figures: Mapped[str] = mapped_column(Text)
    # When the figures were begun: they count what was there then.
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    refresh_asked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # When what they count changed (a quality decision): figures begun before are not shown.
    forgotten_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class PublishedResults(Model):
    """A wave's results as published to residents on /results: the figures worked out when the
    analyst published them (JSON, every count under the disclosure threshold already
    suppressed). Unpublishing deletes the row: nothing is public without one."""

    __tablename__ = "published_results"

    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True
    )
    published_at: Mapped[dt.datetime] = mapped_column(DateTime)
    published_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    figures: Mapped[str] = mapped_column(Text)

    survey: Mapped[Survey] = relationship()


class YouSaidWeDid(Model):
    """One "You said, we did" entry of a wave's published results, in the analyst's words."""

    __tablename__ = "you_said_we_did"
    __table_args__ = (Index("ix_you_said_we_did_survey", "survey_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    you_said: Mapped[str] = mapped_column(Text)
    we_did: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
