"""The `flask` command groups: setup, survey, channels, benchmarks, demo."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from flask_migrate import upgrade
from sqlalchemy import func, select

from . import setup_data
from .extensions import db
from .models import Channel, Partner, Response, Survey
from .questionnaire import DefinitionError, load_definition_file

survey_cli = AppGroup("survey", help="Load, list, open and close questionnaires.")
channels_cli = AppGroup("channels", help="Partners' channel links.")
benchmarks_cli = AppGroup("benchmarks", help="Population benchmarks the sample is compared with.")
demo_cli = AppGroup("demo", help="Synthetic responses for trying reports out.")


def _fail(message: str) -> None:
    raise click.ClickException(message)


@click.command("setup")
@with_appcontext
def setup_command() -> None:
    """Migrate the database, then load the default survey, channels and benchmarks if missing."""
    upgrade()
    loaded = setup_data.load_default_survey()
    channels = setup_data.load_default_channels()
    benchmarks = setup_data.load_default_benchmarks()
    survey = loaded.survey
    click.echo(f"Database is up to date ({db.engine.url.get_backend_name()}).")
    click.echo(
        f"Survey {survey.label}: {'loaded' if loaded.created else 'already loaded'}, "
        f"{survey.status}."
    )
    click.echo(f"Channels added: {channels}. Benchmark rows added: {benchmarks}.")


def _survey_by_label(label: str | None) -> Survey:
    query = select(Survey).order_by(Survey.id.desc())
    if label:
        slug, _, version = label.partition(":")
        query = query.where(Survey.slug == slug)
        if version:
            if not version.isdigit():
                _fail(f"Version must be a number, as in {slug}:2")
            query = query.where(Survey.version == int(version))
    survey = db.session.scalars(query.limit(1)).first()
    if survey is None:
        _fail(
            f"No survey {label!r} is loaded; see `flask survey list`"
            if label
            else "No survey is loaded; run `flask setup`"
        )
    return survey


@survey_cli.command("load")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--open", "open_it", is_flag=True, help="Open it for residents straight away.")
def survey_load(path: Path, open_it: bool) -> None:
    """Load a questionnaire definition file (checked against the schema)."""
    try:
        result = setup_data.load_survey(load_definition_file(path), open_it=open_it)
    except (DefinitionError, setup_data.SetupError) as error:
        _fail(str(error))
    state = "Loaded" if result.created else "Already loaded:"
    click.echo(f"{state} {result.survey.label} ({result.survey.status}).")


@survey_cli.command("list")
@click.option("--json", "as_json", is_flag=True)
def survey_list(as_json: bool) -> None:
    """List loaded questionnaires with their status and response counts."""
    rows = []
    for survey in db.session.scalars(select(Survey).order_by(Survey.id)):
        submitted = db.session.scalar(
            select(func.count())
            .select_from(Response)
            .where(Response.survey_id == survey.id, Response.status == "submitted")
        )
        rows.append(
            {
                "slug": survey.slug,
                "version": survey.version,
                "title": survey.title,
                "status": survey.status,
                "submitted": submitted,
                "opened_on": survey.opened_on and survey.opened_on.isoformat(),
                "closed_on": survey.closed_on and survey.closed_on.isoformat(),
            }
        )
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        click.echo(
            f"{row['slug']}:{row['version']}  {row['status']:<6}  "
            f"{row['submitted']:>7} submitted  {row['title']}"
        )


@survey_cli.command("open")
@click.argument("survey", required=False)
def survey_open(survey: str | None) -> None:
    """Open a survey (SLUG or SLUG:VERSION; the newest by default) and close any other."""
    chosen = _survey_by_label(survey)
    setup_data.set_survey_status(chosen, "open")
    db.session.commit()
    click.echo(f"{chosen.label} is open.")


@survey_cli.command("close")
@click.argument("survey", required=False)
def survey_close(survey: str | None) -> None:
    """Close a survey: residents see a closed page and nothing more is stored."""
    chosen = _survey_by_label(survey)
    setup_data.set_survey_status(chosen, "closed")
    db.session.commit()
    click.echo(f"{chosen.label} is closed.")


@survey_cli.command("stats")
@click.argument("survey", required=False)
@click.option("--json", "as_json", is_flag=True)
def survey_stats(survey: str | None, as_json: bool) -> None:
    """Submitted and in-progress responses per channel."""
    chosen = _survey_by_label(survey)
    channel_slug = func.coalesce(Channel.slug, "(untagged)")
    rows = db.session.execute(
        select(channel_slug, Response.status, func.count())
        .select_from(Response)
        .outerjoin(Channel, Response.channel_id == Channel.id)
        .where(Response.survey_id == chosen.id)
        .group_by(channel_slug, Response.status)
    ).all()
    counts: dict[str, dict[str, int]] = {}
    for slug, status, count in rows:
        counts.setdefault(slug, {"submitted": 0, "in_progress": 0})[status] = count
    for slug in db.session.scalars(select(Channel.slug)):
        counts.setdefault(slug, {"submitted": 0, "in_progress": 0})
    ordered = dict(sorted(counts.items(), key=lambda kv: (-kv[1]["submitted"], kv[0])))
    if as_json:
        click.echo(json.dumps({"survey": chosen.label, "channels": ordered}, indent=2))
        return
    click.echo(f"{chosen.label} ({chosen.status})")
    click.echo(f"{'channel':<28}{'submitted':>10}{'in progress':>13}")
    for slug, figures in ordered.items():
        click.echo(f"{slug:<28}{figures['submitted']:>10}{figures['in_progress']:>13}")
    click.echo(
        f"{'total':<28}{sum(f['submitted'] for f in ordered.values()):>10}"
        f"{sum(f['in_progress'] for f in ordered.values()):>13}"
    )


@channels_cli.command("add")
@click.argument("slug")
@click.option("--partner", required=True, help="The partner organisation's name.")
@click.option("--name", "label", required=True, help="What the channel is, e.g. 'Estate posters'.")
def channels_add(slug: str, partner: str, label: str) -> None:
    """Add a channel; its link is /s/SLUG."""
    try:
        channel = setup_data.add_channel(slug, partner, label)
    except setup_data.SetupError as error:
        _fail(str(error))
    click.echo(f"Added {channel.slug} for {channel.partner.name}: link /s/{channel.slug}")


@channels_cli.command("list")
@click.option("--json", "as_json", is_flag=True)
def channels_list(as_json: bool) -> None:
    """List channels with their partner and link."""
    rows = [
        {
            "slug": c.slug,
            "name": c.name,
            "partner": p.name,
            "archived": c.archived,
            "link": f"/s/{c.slug}",
        }
        for c, p in db.session.execute(
            select(Channel, Partner).join(Partner).order_by(Partner.name, Channel.slug)
        )
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        archived = " (archived)" if row["archived"] else ""
        click.echo(f"{row['slug']:<24} {row['partner']:<44} {row['link']}{archived}")


@benchmarks_cli.command("load")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--source", required=True, help="Where the figures come from, cited in reports.")
@click.option("--year", required=True, type=int)
@click.option("--replace", is_flag=True, help="Replace figures already loaded from this source.")
def benchmarks_load(path: Path, source: str, year: int, replace: bool) -> None:
    """Load population counts (CSV: dimension, category, label, count, note)."""
    try:
        count = setup_data.load_benchmarks(path, source=source, year=year, replace=replace)
    except setup_data.SetupError as error:
        _fail(str(error))
    click.echo(f"Loaded {count} benchmark rows from {source} ({year}).")


@demo_cli.command("seed")
@click.option("--responses", "count", required=True, type=click.IntRange(1, 5_000_000))
@click.option("--seed", default=2026, show_default=True, type=int)
def demo_seed(count: int, seed: int) -> None:
    """Add COUNT synthetic submitted responses with deliberately uneven demographics."""
    from .demo import DemoError, seed_responses

    try:
        added = seed_responses(count=count, seed=seed)
    except DemoError as error:
        _fail(str(error))
    click.echo(f"Added {added} demo responses.")


def _comma_list(value: str, allowed: tuple[str, ...], what: str) -> list[str]:
    chosen = [part.strip().lower() for part in value.split(",") if part.strip()]
    unknown = [part for part in chosen if part not in allowed]
    if unknown or not chosen:
        _fail(f"{what} must be one or more of {', '.join(allowed)}; not {', '.join(unknown)}")
    return chosen


@click.command("report")
@click.argument("kind", type=click.Choice(["interim", "final"]))
@click.option(
    "--out",
    "out_dir",
    default="reports",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
)
@click.option(
    "--format",
    "formats",
    default="html,pdf,json,xlsx",
    show_default=True,
    help="Comma-separated: html, pdf, json, xlsx.",
)
@click.option(
    "--survey", "survey_label", help="SLUG or SLUG:VERSION; the open or newest by default."
)
@with_appcontext
def report_command(kind: str, out_dir: Path, formats: str, survey_label: str | None) -> None:
    """Write the interim report (while the survey is open) or the final report (after it closes)."""
    from reporting.generate import write_report

    survey = _survey_by_label(survey_label) if survey_label else None
    if kind == "final" and survey is None:
        survey = _survey_by_label(None)
    if kind == "final" and survey.status == "open":
        click.echo(f"Note: {survey.label} is still open; the final report covers responses so far.")
    chosen = _comma_list(formats, ("html", "pdf", "json", "xlsx"), "--format")
    paths = write_report(db.engine, kind, out_dir, chosen, survey_id=survey.id if survey else None)
    for path in paths:
        click.echo(f"Wrote {path}")


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "sav"]), required=True)
@click.option("--out", "out_file", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--survey", "survey_label", help="SLUG or SLUG:VERSION; the open or newest by default."
)
@click.option(
    "--include-free-text",
    is_flag=True,
    help="Add what residents wrote in their own words (may name people).",
)
@with_appcontext
def export_command(
    fmt: str, out_file: Path, survey_label: str | None, include_free_text: bool
) -> None:
    """Export submitted responses with a data dictionary (and weights once the survey is closed)."""
    from reporting.exports import export_responses

    survey = _survey_by_label(survey_label)
    result = export_responses(
        db.engine, out_file, fmt=fmt, survey_id=survey.id, free_text=include_free_text
    )
    weighted = " with weights" if result.weighted else " (weights come once the survey closes)"
    click.echo(f"Wrote {result.rows} responses to {result.path}{weighted}.")
    if result.dictionary_path:
        click.echo(f"Data dictionary: {result.dictionary_path}")


def register_commands(app: Flask) -> None:
    app.cli.add_command(setup_command)
    app.cli.add_command(report_command)
    app.cli.add_command(export_command)
    for group in (survey_cli, channels_cli, benchmarks_cli, demo_cli):
        app.cli.add_command(group)
