"""The `flask` commands: setup, report, export, purge, and the groups survey, channels,
benchmarks, demo, users and jobs."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from flask_migrate import upgrade
from sqlalchemy import case, func, select

from . import setup_data
from .extensions import db
from .models import Channel, Partner, Response, Survey, counted_responses
from .questionnaire import DefinitionError, load_definition_file
from .questionnaire.translation import translation_files
from .translations_cli import translation_summary, translations_cli

survey_cli = AppGroup("survey", help="Load, list, open and close questionnaires.")
channels_cli = AppGroup("channels", help="Partners' channel links.")
benchmarks_cli = AppGroup("benchmarks", help="Population benchmarks the sample is compared with.")
demo_cli = AppGroup("demo", help="Synthetic responses for trying reports out.")
users_cli = AppGroup("users", help="Staff accounts: analysts and partner users.")
jobs_cli = AppGroup("jobs", help="The background worker that makes reports and exports.")


def _fail(message: str) -> NoReturn:
    raise click.ClickException(message)


@click.command("setup")
@with_appcontext
def setup_command() -> None:
    """Migrate the database, then load the default survey, channels and benchmarks if missing."""
    upgrade()
    try:
        loaded = setup_data.load_default_survey()
    except DefinitionError as error:
        _fail(str(error))
    channels = setup_data.load_default_channels()
    benchmarks = setup_data.load_default_benchmarks()
    survey = loaded.survey
    click.echo(f"Database is up to date ({db.engine.url.get_backend_name()}).")
    state = "loaded" if loaded.created else "already loaded"
    if loaded.reworded:
        state = "wording updated (restart the service to show it)"
    click.echo(f"Survey {survey.label}: {state}, {survey.status}.")
    for translation in loaded.translations:
        click.echo(f"  {translation_summary(translation.language, translation.missing)}")
    click.echo(f"Channels added: {channels}. Benchmark rows added: {benchmarks}.")


def _survey_by_label(label: str | None) -> Survey:
    """SLUG:WAVE, or SLUG (its newest wave); with no label the open survey, else the newest."""
    open_first = case((Survey.status == "open", 0), else_=1)
    query = select(Survey).order_by(open_first, Survey.imported_from.is_not(None), Survey.id.desc())
    if label:
        slug, _, wave = label.partition(":")
        query = select(Survey).where(Survey.slug == slug).order_by(Survey.wave.desc())
        if wave:
            if not wave.isdigit():
                _fail(f"The wave must be a number, as in {slug}:2")
            query = query.where(Survey.wave == int(wave))
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
        result = setup_data.load_survey(
            load_definition_file(path), open_it=open_it, translations=translation_files(path)
        )
    except (DefinitionError, setup_data.SetupError) as error:
        _fail(str(error))
    state = "Loaded" if result.created else "Already loaded:"
    if result.reworded:
        state = "Wording updated (restart the service to show it):"
    click.echo(f"{state} {result.survey.label} ({result.survey.status}).")
    for translation in result.translations:
        click.echo(f"  {translation_summary(translation.language, translation.missing)}")


@survey_cli.command("new-wave")
@click.argument("slug", required=False)
@click.option(
    "--definition",
    "path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A new version of the questionnaire to run (with its translations beside it).",
)
@click.option("--open", "open_it", is_flag=True, help="Open it for residents straight away.")
def survey_new_wave(slug: str | None, path: Path | None, open_it: bool) -> None:
    """Start the next wave of a survey whose newest wave is closed (the newest survey by
    default), with the same questionnaire or a new version of it. Channels carry over."""
    if slug is None:
        slug = _survey_by_label(None).slug
    try:
        questionnaire = load_definition_file(path) if path else None
        result = setup_data.new_wave(
            slug,
            questionnaire,
            translations=translation_files(path) if path else None,
            open_it=open_it,
        )
    except (DefinitionError, setup_data.SetupError) as error:
        _fail(str(error))
    survey = result.survey
    channels = db.session.scalar(
        select(func.count()).select_from(Channel).where(Channel.archived.is_(False))
    )
    click.echo(f"Started {survey.label} ({survey.status}).")
    click.echo(f"  Every channel link carries over ({channels} in use).")
    if not open_it:
        click.echo(f"  Open it for residents with `flask survey open {survey.ref}`.")


@survey_cli.command("import-wave")
@click.argument("data_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--mapping",
    "mapping_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV saying which column answers which question (see docs/importing.md).",
)
@click.option("--wave", required=True, type=click.IntRange(0), help="A wave number not in use.")
@click.option("--survey", "slug", help="The survey's slug; the open or newest survey's by default.")
@click.option(
    "--definition",
    "definition_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The questionnaire the earlier wave asked, if not the newest wave's.",
)
@click.option("--opened", type=click.DateTime(["%Y-%m-%d"]), help="YYYY-MM-DD.")
@click.option("--closed", type=click.DateTime(["%Y-%m-%d"]), help="YYYY-MM-DD.")
def survey_import_wave(
    data_file: Path,
    mapping_file: Path,
    wave: int,
    slug: str | None,
    definition_path: Path | None,
    opened: dt.datetime | None,
    closed: dt.datetime | None,
) -> None:
    """Import an earlier wave's responses from a CSV or XLSX, checked row by row; nothing is
    written unless every row fits."""
    from .wave_import import WaveImportError, import_wave, summary

    try:
        questionnaire = load_definition_file(definition_path) if definition_path else None
    except DefinitionError as error:
        _fail(str(error))
    if slug is None:
        slug = questionnaire.slug if questionnaire else _survey_by_label(None).slug
    elif ":" in slug:
        _fail("--survey takes the survey's slug alone; the new wave's number goes in --wave")
    try:
        result = import_wave(
            data_file,
            mapping_file,
            wave=wave,
            slug=slug,
            questionnaire=questionnaire,
            opened=opened.date() if opened else None,
            closed=closed.date() if closed else None,
        )
    except WaveImportError as error:
        _fail(str(error))
    for line in summary(result):
        click.echo(line)


@survey_cli.command("list")
@click.option("--json", "as_json", is_flag=True)
def survey_list(as_json: bool) -> None:
    """List loaded questionnaires with their status and response counts."""
    rows = []
    for survey in db.session.scalars(select(Survey).order_by(Survey.id)):
        submitted = db.session.scalar(
            select(func.count()).select_from(Response).where(counted_responses(survey.id))
        )
        rows.append(
            {
                "slug": survey.slug,
                "wave": survey.wave,
                "version": survey.version,
                "imported_from": survey.imported_from,
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
        imported = f"  (imported from {row['imported_from']})" if row["imported_from"] else ""
        click.echo(
            f"{row['slug']}:{row['wave']}  v{row['version']}  {row['status']:<6}  "
            f"{row['submitted']:>7} submitted  {row['title']}{imported}"
        )


@survey_cli.command("open")
@click.argument("survey", required=False)
def survey_open(survey: str | None) -> None:
    """Open a survey (SLUG or SLUG:WAVE; the newest by default) and close any other."""
    chosen = _survey_by_label(survey)
    if chosen.imported_from:
        _fail(
            f"{chosen.label} was imported from {chosen.imported_from}: it holds responses "
            "collected elsewhere and cannot be opened to residents"
        )
    withdrawn = setup_data.set_survey_status(chosen, "open")
    db.session.commit()
    click.echo(f"{chosen.label} is open.")
    if withdrawn:
        click.echo(
            "  Its published results were taken off /results: publish them again once it "
            f"closes (`flask results publish {chosen.ref}`)."
        )


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
@click.option(
    "--survey", "survey_label", help="SLUG:WAVE, open or closed; the open survey by default."
)
def demo_seed(count: int, seed: int, survey_label: str | None) -> None:
    """Add COUNT synthetic submitted responses with deliberately uneven demographics."""
    from .demo import DemoError, seed_responses

    survey = _survey_by_label(survey_label) if survey_label else None
    try:
        added = seed_responses(count=count, seed=seed, survey=survey)
    except DemoError as error:
        _fail(str(error))
    click.echo(f"Added {added} demo responses.")


def _comma_list(value: str, allowed: tuple[str, ...], what: str) -> list[str]:
    chosen = [part.strip().lower() for part in value.split(",") if part.strip()]
    unknown = [part for part in chosen if part not in allowed]
    if unknown or not chosen:
        _fail(f"{what} must be one or more of {', '.join(allowed)}; not {', '.join(unknown)}")
    return chosen


def _at_a_terminal() -> bool:
    return sys.stderr.isatty()


@contextlib.contextmanager
def terminal_progress(label: str) -> Iterator[Callable[[int, int, str], None] | None]:
    """A progress bar on the terminal (on stderr, so stdout keeps only the result) for work
    that can take minutes; nothing at all when the command's output goes to a file or a script.
    """
    if not _at_a_terminal():
        yield None
        return
    bars: list[Any] = []

    def update(done: int, total: int, step: str) -> None:
        if not bars:
            bar = click.progressbar(
                length=total,
                label=label,
                file=sys.stderr,
                show_pos=True,
                item_show_func=lambda item: item,
            )
            bars.append(bar.__enter__())
        bar = bars[0]
        if done > bar.pos:
            bar.update(done - bar.pos, step)
        else:  # a new step with no more done yet: show its name all the same
            bar.current_item = step
            bar.render_progress()

    try:
        yield update
    finally:
        if bars:
            bars[0].__exit__(None, None, None)


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
    "--survey", "survey_label", help="SLUG or SLUG:WAVE; the open survey or the newest by default."
)
@with_appcontext
def report_command(kind: str, out_dir: Path, formats: str, survey_label: str | None) -> None:
    """Write the interim report (while the survey is open) or the final report (after it closes)."""
    from reporting.generate import write_report

    survey = _survey_by_label(survey_label) if survey_label else None
    if kind == "final":
        if survey is None:
            survey = _survey_by_label(None)
        if survey.status == "open":
            click.echo(
                f"Note: {survey.label} is still open; the final report covers responses so far."
            )
    chosen = _comma_list(formats, ("html", "pdf", "json", "xlsx"), "--format")
    try:
        with terminal_progress(f"The {kind} report") as progress:
            paths = write_report(
                db.engine,
                kind,
                out_dir,
                chosen,
                survey_id=survey.id if survey else None,
                progress=progress,
            )
    except ValueError as error:
        _fail(str(error))
    for path in paths:
        click.echo(f"Wrote {path}")


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "sav"]), required=True)
@click.option("--out", "out_file", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--survey", "survey_label", help="SLUG or SLUG:WAVE; the open survey or the newest by default."
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
    with terminal_progress("Responses exported") as progress:
        result = export_responses(
            db.engine,
            out_file,
            fmt=fmt,
            survey_id=survey.id,
            free_text=include_free_text,
            progress=progress,
        )
    weighted = " with weights" if result.weighted else " (weights come once the survey closes)"
    click.echo(f"Wrote {result.rows:,} responses to {result.path}{weighted}.")
    if result.dictionary_path:
        click.echo(f"Data dictionary: {result.dictionary_path}")


def _password_link_text(token: str, base_url: str | None) -> str:
    from flask import current_app

    root = (
        base_url
        or current_app.config.get("SAFERMK_BASE_URL")
        or current_app.config["DEVELOPMENT_BASE_URL"]
    )
    return f"{root.rstrip('/')}/set-password/{token}"


@users_cli.command("add")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(["analyst", "partner"]))
@click.option("--partner", "partner_name", help="The partner organisation (partner users only).")
@click.option("--base-url", help="The site's address, for the link (default SAFERMK_BASE_URL).")
def users_add(email: str, role: str, partner_name: str | None, base_url: str | None) -> None:
    """Create an account and print a one-time link (valid 72 hours) to set its password."""
    from .auth import accounts

    partner = None
    if partner_name:
        partner = accounts.find_partner(partner_name)
        if partner is None:
            names = ", ".join(
                p.name for p in db.session.scalars(select(Partner).order_by(Partner.name))
            )
            _fail(f"No partner called {partner_name!r}. Partners: {names}")
    try:
        user = accounts.create_user(email, role, partner)
    except accounts.AccountError as error:
        db.session.rollback()
        _fail(str(error))
    link = accounts.issue_password_link(user)
    who = f"partner user for {partner.name}" if partner else "analyst"
    click.echo(f"Added {user.email} ({who}).")
    click.echo("Send them this link to set a password; it works once, for 72 hours:")
    click.echo(_password_link_text(link.token, base_url))


@users_cli.command("new-link")
@click.argument("email")
@click.option("--base-url", help="The site's address, for the link (default SAFERMK_BASE_URL).")
def users_new_link(email: str, base_url: str | None) -> None:
    """Print a new set-password link for an account (a forgotten password); old links stop."""
    from .auth import accounts

    user = accounts.find_user_by_email(email)
    if user is None or not user.active:
        _fail(f"No active account for {email}")
    link = accounts.issue_password_link(user)
    click.echo(_password_link_text(link.token, base_url))


@users_cli.command("list")
def users_list() -> None:
    """List staff accounts with their role and partner."""
    from .auth import accounts

    for user in accounts.all_users():
        partner = user.partner.name if user.partner else "all partners"
        state = "active" if user.is_active else ("no password yet" if user.active else "stopped")
        click.echo(f"{user.email:<40} {user.role:<8} {state:<16} {partner}")


@users_cli.command("deactivate")
@click.argument("email")
def users_deactivate(email: str) -> None:
    """Stop an account signing in, and sign it out everywhere."""
    from .auth import accounts

    user = accounts.find_user_by_email(email)
    if user is None:
        _fail(f"No account for {email}")
    accounts.deactivate(user)
    click.echo(f"{user.email} can no longer sign in.")


@click.command("purge")
@click.option(
    "--unfinished-days",
    default=30,
    show_default=True,
    type=click.IntRange(1),
    help="Remove unfinished answers not saved for this many days.",
)
@click.option(
    "--free-text-days",
    default=90,
    show_default=True,
    type=click.IntRange(0),
    help="Remove free text this many days after a survey closes.",
)
@with_appcontext
def purge_command(unfinished_days: int, free_text_days: int) -> None:
    """Apply the retention rules (run daily, e.g. from cron)."""
    import datetime as dt

    from flask import current_app

    from .purge import purge

    if unfinished_days < current_app.config["RESUME_DAYS"]:
        _fail(
            f"--unfinished-days must be at least RESUME_DAYS "
            f"({current_app.config['RESUME_DAYS']}), or residents would lose answers they "
            "were told they could come back to"
        )
    result = purge(
        today=dt.date.today(),
        unfinished_days=unfinished_days,
        resume_days=current_app.config["RESUME_DAYS"],
        free_text_days=free_text_days,
    )
    click.echo(
        f"Removed {result.unfinished_removed} unfinished responses; forgot the browser "
        f"link of {result.tokens_forgotten} submitted ones; removed free text from "
        f"{result.free_text_removed}, and {result.export_files_removed} stored exports "
        "holding it."
    )


@jobs_cli.command("worker")
@with_appcontext
def jobs_worker() -> None:
    """Run the background worker until stopped: Ctrl+C (SIGINT) lets the job under way finish
    first, SIGTERM stops at once. It runs one job at a time (report drawing is not thread-safe);
    for more at once, run more workers."""
    from flask import current_app

    from . import jobs

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    click.echo(f"Background worker {jobs.worker_name()} taking jobs from {_queue_label(app)}.")
    jobs.run_worker(app)


def _queue_label(app: Flask) -> str:
    url = str(app.config["JOBS_URL"])
    return url.split("@")[-1] if url.startswith("redis") else url


@jobs_cli.command("health")
@with_appcontext
def jobs_health() -> None:
    """Exit 0 when a background worker was seen in the last two minutes, 1 otherwise: a health
    check for the worker's service."""
    from . import jobs
    from .presentation import date_time, uk_time

    seen = jobs.last_beat()
    if not jobs.worker_running():
        when = f"last seen {date_time(uk_time(seen))}" if seen else "never seen"
        click.echo(f"No background worker is running ({when}).", err=True)
        sys.exit(1)
    click.echo(f"A background worker is running (seen {date_time(uk_time(seen))}).")


def register_commands(app: Flask) -> None:
    app.cli.add_command(setup_command)
    app.cli.add_command(purge_command)
    app.cli.add_command(report_command)
    app.cli.add_command(export_command)
    groups = (survey_cli, channels_cli, benchmarks_cli, demo_cli, users_cli, jobs_cli)
    from .results_cli import results_cli

    for group in (*groups, translations_cli, results_cli):
        app.cli.add_command(group)
