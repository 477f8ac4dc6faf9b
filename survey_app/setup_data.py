"""Loading the reference data a new installation starts with: survey, channels, benchmarks."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from .extensions import db
from .languages import AWAITING_REVIEW, read_catalog, review_status
from .models import (
    Channel,
    Partner,
    PopulationBenchmark,
    PublishedResults,
    Response,
    Survey,
    SurveyTranslation,
)
from .questionnaire import Questionnaire, load_definition_file
from .questionnaire.translation import Translation, apply, only_wording_differs, translation_files

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CHANNELS = Path(__file__).with_name("data") / "default_channels.json"
DEFAULT_BENCHMARKS = PROJECT_ROOT / "reporting" / "data" / "mk_census2021_16plus.csv"
DEFAULT_BENCHMARK_SOURCE = "ONS Census 2021, Milton Keynes (E06000042), usual residents aged 16+"
CHANNEL_SLUG_PATTERN = "^[a-z0-9][a-z0-9-]{1,59}$"


class SetupError(ValueError):
    """Bad input to a set-up command; the message says what to change."""


@dataclass(frozen=True)
class LoadResult:
    survey: Survey
    created: bool
    reworded: bool = False
    translations: tuple[Translation, ...] = ()


def load_survey(
    questionnaire: Questionnaire,
    *,
    open_it: bool = False,
    translations: Mapping[str, Path] | None = None,
) -> LoadResult:
    """Load a definition (or correct the wording of one already loaded), with its translations
    (a catalogue per language, checked against it: see survey_app.questionnaire.translation)."""
    checked = {
        code: apply(
            questionnaire.definition,
            catalog,
            language=code,
            review_status=review_status(catalog),
        )
        for code, path in (translations or {}).items()
        for catalog in (read_catalog(path),)
    }
    result = _load_definition(questionnaire, open_it=open_it)
    for translation in checked.values():
        store_translation(result.survey, translation)
    db.session.commit()
    return dataclasses.replace(result, translations=tuple(checked.values()))


def store_translation(survey: Survey, translation: Translation) -> SurveyTranslation:
    row = db.session.scalars(
        select(SurveyTranslation).where(
            SurveyTranslation.survey_id == survey.id,
            SurveyTranslation.language == translation.language,
        )
    ).first()
    if row is None:
        row = SurveyTranslation(survey_id=survey.id, language=translation.language)
        db.session.add(row)
    row.definition = translation.definition
    row.missing = list(translation.missing)
    row.review_status = translation.review_status or AWAITING_REVIEW
    row.loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return row


def newest_wave(slug: str, *, run_here: bool = False) -> Survey | None:
    """The survey's highest-numbered wave; with run_here, the highest not imported."""
    query = select(Survey).where(Survey.slug == slug)
    if run_here:
        query = query.where(Survey.imported_from.is_(None))
    return db.session.scalars(query.order_by(Survey.wave.desc()).limit(1)).first()


def _load_definition(questionnaire: Questionnaire, *, open_it: bool) -> LoadResult:
    """Correct the wording of the newest wave run with this questionnaire version, or load a new
    version as the survey's next wave."""
    existing = db.session.scalars(
        select(Survey)
        .where(Survey.slug == questionnaire.slug, Survey.version == questionnaire.version)
        .order_by(Survey.wave.desc())
        .limit(1)
    ).first()
    if existing is not None:
        if existing.definition == questionnaire.definition:
            return LoadResult(existing, created=False)
        if not only_wording_differs(existing.definition, questionnaire.definition):
            raise SetupError(
                f"{questionnaire.slug} version {questionnaire.version} is already loaded with "
                "different questions or options; give the changed questionnaire a new version "
                "number"
            )
        existing.title = questionnaire.title
        existing.definition = dict(questionnaire.definition)
        db.session.commit()
        return LoadResult(existing, created=False, reworded=True)
    newest = newest_wave(questionnaire.slug)
    survey = add_wave(questionnaire, (newest.wave + 1) if newest else 1)
    if open_it:
        set_survey_status(survey, "open")
    db.session.commit()
    return LoadResult(survey, created=True)


def add_wave(
    questionnaire: Questionnaire, wave: int, *, imported_from: str | None = None
) -> Survey:
    survey = Survey(
        slug=questionnaire.slug,
        wave=wave,
        version=questionnaire.version,
        title=questionnaire.title,
        definition=dict(questionnaire.definition),
        status="closed",
        imported_from=imported_from,
    )
    db.session.add(survey)
    db.session.flush()
    return survey


def new_wave(
    slug: str,
    questionnaire: Questionnaire | None = None,
    *,
    translations: Mapping[str, Path] | None = None,
    open_it: bool = False,
) -> LoadResult:
    """Open the next wave of a survey whose newest wave is closed: the same questionnaire (and
    its translations) by default, or the given one, which must be the same survey's. Channels
    belong to the partnership, not to a wave, so every channel link carries over."""
    # The next wave follows the last one run here (an imported wave has no translations, and
    # may be numbered above it), and is numbered after every wave.
    newest = newest_wave(slug, run_here=True)
    highest = newest_wave(slug)
    if newest is None or highest is None:
        raise SetupError(f"No survey {slug!r} is loaded; see `flask survey list`")
    if newest.opened_on is None and not db.session.scalar(
        select(func.count()).select_from(Response).where(Response.survey_id == newest.id)
    ):
        raise SetupError(
            f"Wave {newest.wave} of {slug} has never been opened: open it "
            f"(`flask survey open {newest.ref}`) rather than starting another"
        )
    if newest.status == "open":
        raise SetupError(
            f"Wave {newest.wave} of {slug} is still open; close it first "
            f"(`flask survey close {slug}:{newest.wave}`)"
        )
    if questionnaire is not None and questionnaire.slug != slug:
        raise SetupError(
            f"That questionnaire is {questionnaire.slug!r}, not {slug!r}: a wave continues the "
            "same survey"
        )
    if (
        questionnaire is not None
        and questionnaire.version == newest.version
        and not only_wording_differs(newest.definition, questionnaire.definition)
    ):
        raise SetupError(
            f"Version {questionnaire.version} of {slug} is already loaded with different "
            "questions or options; give the changed questionnaire a new version number"
        )
    if questionnaire is not None and translations:
        checked = [
            apply(
                questionnaire.definition,
                catalog,
                language=code,
                review_status=review_status(catalog),
            )
            for code, path in translations.items()
            for catalog in (read_catalog(path),)
        ]
    else:
        checked = []
    if questionnaire is None:
        survey = Survey(
            slug=slug,
            wave=highest.wave + 1,
            version=newest.version,
            title=newest.title,
            definition=dict(newest.definition),
            status="closed",
        )
        db.session.add(survey)
        db.session.flush()
        for earlier in db.session.scalars(
            select(SurveyTranslation).where(SurveyTranslation.survey_id == newest.id)
        ):
            db.session.add(
                SurveyTranslation(
                    survey_id=survey.id,
                    language=earlier.language,
                    definition=earlier.definition,
                    missing=list(earlier.missing),
                    review_status=earlier.review_status,
                    loaded_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                )
            )
    else:
        survey = add_wave(questionnaire, highest.wave + 1)
        for translation in checked:
            store_translation(survey, translation)
    if open_it:
        set_survey_status(survey, "open")
    db.session.commit()
    return LoadResult(survey, created=True, translations=tuple(checked))


def previous_wave(survey: Survey) -> Survey | None:
    """The wave before this one (the highest-numbered earlier wave), if any."""
    return db.session.scalars(
        select(Survey)
        .where(Survey.slug == survey.slug, Survey.wave < survey.wave)
        .order_by(Survey.wave.desc())
        .limit(1)
    ).first()


def set_survey_status(survey: Survey, status: str) -> bool:
    """Open or close a wave. Opening one closes any other, and takes down the results it had
    published: they were the figures of a closed wave that is now collecting answers again.
    True when published results were taken down."""
    withdrawn = False
    if status == "open":
        # One survey is open at a time: residents' links lead to exactly one questionnaire.
        for other in db.session.scalars(select(Survey).where(Survey.status == "open")):
            if other.id != survey.id:
                other.status, other.closed_on = "closed", dt.date.today()
        survey.status, survey.opened_on, survey.closed_on = "open", dt.date.today(), None
        published = db.session.get(PublishedResults, survey.id)
        if published is not None:
            db.session.delete(published)
            withdrawn = True
    else:
        survey.status, survey.closed_on = "closed", dt.date.today()
    return withdrawn


def add_channel(slug: str, partner_name: str, name: str) -> Channel:
    """A channel for the named partner (made if new), by the same rules as the analyst's page."""
    from .admin import channel_admin

    partner_name = " ".join(partner_name.split())
    if not partner_name:
        raise SetupError("A channel needs a partner name")
    partner = db.session.scalars(
        select(Partner).where(func.lower(Partner.name) == partner_name.lower())
    ).first()
    if partner is None:
        partner = Partner(name=partner_name)
        db.session.add(partner)
    try:
        # Committed together with the channel, or rolled back with it.
        return channel_admin.create_channel(slug, name, partner)
    except channel_admin.ChannelError as error:
        db.session.rollback()
        raise SetupError(str(error)) from None


def load_default_channels() -> int:
    spec = json.loads(DEFAULT_CHANNELS.read_text(encoding="utf-8"))
    existing = set(db.session.scalars(select(Channel.slug)))
    added = 0
    for row in spec["channels"]:
        if row["slug"] not in existing:
            add_channel(row["slug"], row["partner"], row["name"])
            added += 1
    return added


def load_benchmarks(path: Path, *, source: str, year: int, replace: bool = False) -> int:
    """Load population counts from a CSV with columns dimension, category, label, count[, note]."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
    except FileNotFoundError:
        raise SetupError(f"No benchmark file at {path}") from None
    required = {"dimension", "category", "count"}
    if not rows or not required <= set(rows[0]):
        raise SetupError(f"{path} needs the columns dimension, category and count")
    benchmarks = []
    for line, row in enumerate(rows, start=2):
        try:
            count = int(row["count"])
        except ValueError:
            raise SetupError(
                f"{path}, line {line}: count {row['count']!r} is not a number"
            ) from None
        if count < 0:
            raise SetupError(f"{path}, line {line}: count cannot be negative")
        benchmarks.append(
            PopulationBenchmark(
                dimension=row["dimension"].strip(),
                category=row["category"].strip(),
                label=(row.get("label") or row["category"]).strip(),
                count=count,
                source=source,
                year=year,
                note=(row.get("note") or None),
            )
        )
    already = db.session.scalar(
        select(func.count())
        .select_from(PopulationBenchmark)
        .where(PopulationBenchmark.source == source)
    )
    if already:
        if not replace:
            raise SetupError(f"Benchmarks from {source!r} are already loaded; use --replace")
        db.session.execute(
            PopulationBenchmark.__table__.delete().where(PopulationBenchmark.source == source)
        )
    db.session.add_all(benchmarks)
    db.session.commit()
    return len(benchmarks)


def load_default_benchmarks() -> int:
    already = db.session.scalar(
        select(func.count())
        .select_from(PopulationBenchmark)
        .where(PopulationBenchmark.source == DEFAULT_BENCHMARK_SOURCE)
    )
    if already:
        return 0
    return load_benchmarks(DEFAULT_BENCHMARKS, source=DEFAULT_BENCHMARK_SOURCE, year=2021)


def load_default_survey() -> LoadResult:
    from .questionnaire.definition import DEFAULT_DEFINITION

    questionnaire = load_definition_file(DEFAULT_DEFINITION)
    any_survey = db.session.scalar(select(func.count()).select_from(Survey))
    return load_survey(
        questionnaire, open_it=not any_survey, translations=translation_files(DEFAULT_DEFINITION)
    )
