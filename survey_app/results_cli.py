"""`flask results`: publish a closed wave's results to residents on /results, or take them down.

    flask results publish [SLUG[:WAVE]]     the newest closed wave by default; again replaces
    flask results unpublish [SLUG[:WAVE]]   the newest published wave by default
    flask results list                      every wave: published or not, and its entries

Publishing here works the figures out in this process, without the background worker (the
analyst's reports page asks the worker instead).
"""

from __future__ import annotations

from typing import NoReturn

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from . import results, you_said_we_did
from .extensions import db
from .models import Survey
from .presentation import date_time, uk_time

results_cli = AppGroup("results", help="Results published to residents on /results.")


def _fail(message: str) -> NoReturn:
    raise click.ClickException(message)


def _public_address(survey: Survey) -> str:
    root = current_app.config.get("SAFERMK_BASE_URL") or current_app.config.get(
        "DEVELOPMENT_BASE_URL", ""
    )
    return f"{str(root).rstrip('/')}/results/{survey.slug}/{survey.wave}"


def _named(label: str) -> Survey:
    from .cli import _survey_by_label

    return _survey_by_label(label)


def _newest_closed() -> Survey:
    """The newest wave that has closed after running (or was imported): not a next wave made
    ready but never opened."""
    survey = db.session.scalars(
        select(Survey)
        .where(
            Survey.status == "closed",
            Survey.opened_on.is_not(None) | Survey.imported_from.is_not(None),
        )
        .order_by(Survey.wave.desc(), Survey.id.desc())
        .limit(1)
    ).first()
    if survey is None:
        _fail("No survey has closed yet: results are published after a survey closes")
    return survey


@results_cli.command("publish")
@click.argument("survey", required=False)
def results_publish(survey: str | None) -> None:
    """Publish a closed wave's results (SLUG or SLUG:WAVE; the newest closed wave by default),
    in place of any published before."""
    chosen = _named(survey) if survey else _newest_closed()
    click.echo(f"Working out the figures of {chosen.label}...", err=True)
    try:
        published = results.publish(chosen.id)
    except results.PublishRefused as refusal:
        _fail(str(refusal))
    if published.replaced is not None:
        click.echo(
            f"Published {chosen.ref} again: these figures replace those published on "
            f"{date_time(uk_time(published.replaced))}."
        )
    else:
        click.echo(f"Published the results of {chosen.ref}.")
    click.echo(f"  {_public_address(chosen)}")


@results_cli.command("unpublish")
@click.argument("survey", required=False)
def results_unpublish(survey: str | None) -> None:
    """Take a wave's results off /results (SLUG or SLUG:WAVE; the newest published wave by
    default). Its "You said, we did" entries are kept as drafts."""
    if survey:
        chosen = _named(survey)
    else:
        newest = results.published_waves()
        if not newest:
            _fail("No results are published")
        chosen = newest[0][0]
    if not results.unpublish(chosen.id):
        _fail(f"The results of {chosen.ref} are not published")
    kept = len(you_said_we_did.entries(chosen.id))
    entries = (
        "Its 'You said, we did' entry is kept as a draft."
        if kept == 1
        else f"Its {kept} 'You said, we did' entries are kept as drafts."
    )
    click.echo(f"Unpublished the results of {chosen.ref}. {entries}")


@results_cli.command("list")
def results_list() -> None:
    """Every wave: whether its results are published, when, and its entries."""
    slugs = db.session.scalars(select(Survey.slug).distinct().order_by(Survey.slug)).all()
    for slug in slugs:
        for state in results.wave_states(slug, limit=1000):
            survey = state.survey
            if state.published is not None:
                status = f"published {date_time(uk_time(state.published.published_at))}"
            elif survey.status == "open":
                status = "open: publish after it closes"
            else:
                status = "not published"
            entries = f"{state.entries} {'entry' if state.entries == 1 else 'entries'}"
            click.echo(f"{survey.ref:<28} {status:<40} {entries}")
