"""`flask translations`: what the council's translators need, and what is still missing.

    flask translations status              every language: what is missing, reviewed or not
    flask translations export pl           pl.po (or --format xlsx) of everything to translate
    flask translations import pl.po        read it back, checked; an XLSX the same way

One exported file holds both kinds of text: the interface (buttons, messages, the privacy
notice) and the questionnaire of the open survey. Import writes each where it belongs (the
interface catalogue in survey_app/translations, the questionnaire catalogue beside the shipped
definition) and loads the questionnaire's into the database; restart the service to show it.
"""

from __future__ import annotations

import datetime as dt
import gettext
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from flask.cli import AppGroup
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from sqlalchemy import select

from . import languages
from .extensions import db
from .models import Survey, SurveyTranslation
from .questionnaire.definition import DEFINITIONS_DIR, DefinitionError
from .questionnaire.translation import (
    PLACEHOLDER,
    apply,
    format_problem,
    template_catalog,
    wording,
)

translations_cli = AppGroup("translations", help="Translations of the survey for residents.")
QUESTIONNAIRE_PREFIX = "questionnaire"
XLSX_HEADINGS = ("Part", "Where", "English", "Translation", "Notes")
PLURAL_ROW = re.compile(r"^Plural form (\d+) of (\d+)")


class ImportProblem(click.ClickException):
    pass


def translation_summary(language: str, missing: tuple[str, ...] | list[str]) -> str:
    name = languages.language(language).english_name
    if not missing:
        return f"{name}: the questionnaire is completely translated."
    return (
        f"{name}: {len(missing)} of the questionnaire's texts are not translated yet, so it "
        "is not offered to residents (`flask translations status` lists them)."
    )


def _language(code: str) -> languages.Language:
    clean = languages.clean_code(code)
    if clean is None or clean == languages.SOURCE_LANGUAGE:
        raise click.ClickException(f"{code!r} is not a language code to translate into, like pl")
    try:
        return languages.Language.from_code(clean)
    except (UnknownLocaleError, ValueError):
        raise click.ClickException(f"{code!r} is not a language code we know, like pl") from None


def _interface_path(code: str) -> Path:
    return languages.TRANSLATIONS_DIR / code / "LC_MESSAGES" / "messages.po"


def _questionnaire_path(survey: Survey, code: str) -> Path:
    return DEFINITIONS_DIR / f"{survey.slug}-v{survey.version}.{code}.po"


def _survey_for_translation() -> Survey:
    survey = db.session.scalars(
        select(Survey).order_by((Survey.status == "open").desc(), Survey.id.desc()).limit(1)
    ).first()
    if survey is None:
        raise click.ClickException("No survey is loaded; run `flask setup`")
    return survey


def _existing(path: Path, locale: str) -> Catalog:
    if path.exists():
        return languages.read_catalog(path)
    return Catalog(locale=locale)


def _questionnaire_context(survey: Survey, place: str) -> str:
    return f"{QUESTIONNAIRE_PREFIX}/{survey.slug}-v{survey.version}/{place}"


def export_catalog(code: str, survey: Survey) -> Catalog:
    """Everything to translate into `code`, with what is translated already filled in."""
    language = _language(code)
    catalog = Catalog(locale=language.code, project="SaferMK residents' survey", fuzzy=False)
    interface = _existing(_interface_path(language.code), language.code)
    catalog.header_comment = (
        f"# {language.english_name} ({language.name}) for the SaferMK residents' survey.\n"
        f"# Review status: {languages.review_status(interface)}\n"
        "# Translate each msgstr; keep {placeholders} and %(placeholders)s as they are."
    )
    template = languages.read_catalog(languages.INTERFACE_TEMPLATE)
    for message in template:
        if not message.id:
            continue
        done = interface.get(message.id, context=message.context)
        catalog.add(
            message.id,
            string=done.string if done is not None and not done.fuzzy else "",
            context=message.context,
            auto_comments=message.auto_comments,
            locations=message.locations,
        )
    questionnaire = _existing(_questionnaire_path(survey, language.code), language.code)
    for item in wording(survey.definition):
        done = questionnaire.get(item.text, context=item.place)
        catalog.add(
            item.text,
            string=done.string if done is not None and not done.fuzzy else "",
            context=_questionnaire_context(survey, item.place),
        )
    return catalog


@dataclass
class Imported:
    interface: Catalog
    questionnaire: Catalog
    review_status: str


def _read_file(path: Path, code: str) -> Catalog:
    if path.suffix.lower() == ".po":
        try:
            with path.open("rb") as file:
                return read_po(file, locale=code)
        except Exception as error:  # babel raises several kinds for a damaged file
            raise ImportProblem(f"{path.name} could not be read as a .po file: {error}") from None
    if path.suffix.lower() == ".xlsx":
        return _read_xlsx(path, code)
    raise ImportProblem(f"{path.name}: give a .po or .xlsx file exported by this command")


def _read_xlsx(path: Path, code: str) -> Catalog:
    try:
        # Not read-only: that trusts the size a sheet claims, and some tools claim wrongly.
        book = load_workbook(path)
    except Exception as error:  # openpyxl raises several kinds for a file that is not XLSX
        raise ImportProblem(f"{path.name} could not be opened as a spreadsheet: {error}") from None
    try:
        rows = list(book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()
    return _catalog_from_rows(iter(rows), path, code)


def _catalog_from_rows(rows: Iterator[tuple[Any, ...]], path: Path, code: str) -> Catalog:
    headings = tuple(next(rows, ()) or ())[: len(XLSX_HEADINGS)]
    if headings != XLSX_HEADINGS:
        raise ImportProblem(
            f"{path.name}: the first row must be the headings {', '.join(XLSX_HEADINGS)}, as "
            "exported; keep the columns as they are and fill in Translation only"
        )
    catalog = Catalog(locale=code)
    status = None
    plural: list[str] = []  # the English forms, then the translations, of a plural message
    for number, row in enumerate(rows, start=2):
        part, where, english, translated, _notes = (tuple(row) + (None,) * 5)[:5]
        if part == "Review status":
            status = str(translated or english or "").strip()
            continue
        if not english:
            continue
        if part not in ("Interface", "Questionnaire"):
            raise ImportProblem(
                f"{path.name} row {number}: Part must be Interface or Questionnaire"
            )
        form = PLURAL_ROW.match(str(where or ""))
        if plural and not form:
            raise ImportProblem(
                f"{path.name} row {number}: the plural forms above it are not all there; keep "
                "the rows in the order they were exported"
            )
        if form:
            index, count = int(form.group(1)), int(form.group(2))
            if index == 1:
                plural = [str(english), "", str(translated or "")]
            elif len(plural) != index + 1:
                raise ImportProblem(
                    f"{path.name} row {number}: plural form {index} of {count} is not below "
                    "the forms before it; keep the rows in the order they were exported"
                )
            else:
                if index == 2:
                    plural[1] = str(english)
                plural.append(str(translated or ""))
            if index == count:
                singular, plural_english, *strings = plural
                catalog.add(
                    (singular, plural_english or singular), string=tuple(strings), lineno=number
                )
                plural = []
            continue
        catalog.add(
            str(english),
            string=str(translated or ""),
            context=str(where) if where else None,
            lineno=number,
        )
    catalog.header_comment = f"# Review status: {status or languages.AWAITING_REVIEW}"
    return catalog


def split(catalog: Catalog, code: str, survey: Survey, *, is_spreadsheet: bool = False) -> Imported:
    """The imported file's entries, checked: interface text the service has, questionnaire text
    of the survey. Anything else is an error that says which entry and why."""
    template = languages.read_catalog(languages.INTERFACE_TEMPLATE)
    # What is translated already, so that a file with only some rows loses none of the rest.
    interface = Catalog(locale=code, fuzzy=False)
    existing = _existing(_interface_path(code), code)
    for message in template:
        if message.id:
            done = existing.get(message.id, context=message.context)
            kept = done.string if done is not None and not done.fuzzy else None
            interface.add(message.id, string=kept, context=message.context)
    questionnaire = template_catalog(survey.definition)
    questionnaire.locale = Locale.parse(code)
    existing = _existing(_questionnaire_path(survey, code), code)
    for message in questionnaire:
        done = existing.get(message.id, context=message.context) if message.id else None
        if done is not None and not done.fuzzy:
            message.string = done.string
    prefix = _questionnaire_context(survey, "")
    problems = []
    for message in catalog:
        if not message.id:
            continue
        text = message.string if isinstance(message.string, str) else ""
        kind = "row" if is_spreadsheet else "line"
        where = f"{kind} {message.lineno}" if message.lineno else repr(message.id)
        context = message.context or ""
        if context.startswith(f"{QUESTIONNAIRE_PREFIX}/"):
            if not context.startswith(prefix):
                problems.append(
                    f"{where}: belongs to another questionnaire ({context.split('/')[1]}); "
                    f"export again for {survey.slug}-v{survey.version}"
                )
                continue
            place = context[len(prefix) :]
            known = questionnaire.get(message.id, context=place)
            if known is None:
                problems.append(
                    f"{where}: the English {str(message.id)[:60]!r} is not in the questionnaire "
                    "at that place any more; export again to get the current text"
                )
                continue
            known.string = "" if message.fuzzy else text
            continue
        if template.get(message.id, context=message.context) is None:
            problems.append(
                f"{where}: the English {str(message.id)[:60]!r} is not in the service's text "
                "any more; export again to get the current text"
            )
            continue
        strings = message.string
        if message.fuzzy:  # a guess nobody has checked counts as not translated
            strings = ("",) * len(strings) if isinstance(strings, tuple) else ""
        problem = _interface_problem(message.id, strings)
        if problem:
            problems.append(f"{where}: {languages.message_text(message.id)[:60]!r} {problem}")
            continue
        entry = interface.get(message.id, context=message.context)
        assert entry is not None, "every message of the template is in the catalogue"
        entry.string = strings
    if problems:
        shown = problems[:20]
        more = f"\n...and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise ImportProblem("Nothing was imported:\n" + "\n".join(shown) + more)
    return Imported(interface, questionnaire, languages.review_status(catalog))


def _interface_problem(message_id: object, strings: object) -> str | None:
    """Why a translation of interface text would fail where the service fills it in: every
    template text is filled in with % (so a percent sign is written %%), and error messages
    with their {placeholders}."""
    ids = message_id if isinstance(message_id, tuple) else (message_id,)
    forms = strings if isinstance(strings, tuple) else (strings,)
    for index, text in enumerate(forms):
        if not text:
            continue
        english = str(ids[min(index, len(ids) - 1)])
        braces = bool(PLACEHOLDER.search(english))
        problem = format_problem(english, str(text), braces=braces, percent=True)
        if problem:
            return problem
    return None


def _check_interface_placeholders(catalog: Catalog) -> None:
    problems = []
    for message, errors in catalog.check():
        for error in errors:
            problems.append(f"{str(message.id)[:60]!r}: {error}")
    if problems:
        raise ImportProblem("Nothing was imported:\n" + "\n".join(problems[:20]))


def _write(catalog: Catalog, path: Path, status: str, language: languages.Language) -> None:
    catalog.header_comment = (
        f"# {language.english_name} ({language.name}) for the SaferMK residents' survey.\n"
        f"# Review status: {status}"
    )
    catalog.fuzzy = False
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        write_po(file, catalog, width=100, omit_header=False, sort_output=False)


def _written(catalog: Catalog, path: Path, status: str, language: languages.Language) -> Path:
    """The catalogue written to a file beside `path`, to be put in its place later."""
    temporary = path.with_name(f".{path.name}.importing")
    _write(catalog, temporary, status, language)
    return temporary


def _compiled(po_file: Path, path: Path) -> Path:
    """The .mo file Flask-Babel reads, compiled from `po_file`, beside `path`."""
    temporary = path.with_name(f".{path.stem}.mo.importing")
    with temporary.open("wb") as file:
        write_mo(file, languages.read_catalog(po_file))
    return temporary


@translations_cli.command("export")
@click.argument("code")
@click.option("--format", "file_format", type=click.Choice(["po", "xlsx"]), default="po")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path))
def export(code: str, file_format: str, output: Path | None) -> None:
    """Write everything to translate into CODE (like pl), with what is done already."""
    survey = _survey_for_translation()
    catalog = export_catalog(code, survey)
    language = _language(code)
    output = output or Path(f"{language.code}.{file_format}")
    if file_format == "po":
        with output.open("wb") as file:
            write_po(file, catalog, width=100, omit_header=False, sort_output=False)
    else:
        _write_xlsx(catalog, output, survey, language)
    todo = sum(1 for message in catalog if message.id and not message.string)
    total = sum(1 for message in catalog if message.id)
    click.echo(f"Wrote {output}: {total} texts, {todo} still to translate into {language.name}.")


def _write_xlsx(
    catalog: Catalog, output: Path, survey: Survey, language: languages.Language
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = language.english_name[:31]
    sheet.append(XLSX_HEADINGS)
    sheet.append(
        ("Review status", "", "", languages.review_status(catalog), "Change when reviewed")
    )
    prefix = _questionnaire_context(survey, "")
    examples = _plural_examples(catalog)
    for message in catalog:
        if not message.id:
            continue
        context = message.context or ""
        is_questionnaire = context.startswith(prefix)
        notes = "; ".join(message.auto_comments)
        english_forms = message.id if isinstance(message.id, tuple) else None
        english = str(english_forms[0] if english_forms else message.id)
        placeholders = sorted(set(_placeholders_in(english)))
        if placeholders:
            notes = "; ".join(filter(None, [notes, "keep " + " ".join(placeholders)]))
        if "%%" in english:
            notes = "; ".join(filter(None, [notes, "write a percent sign as %%"]))
        if english_forms:
            # One row for each of the language's plural forms, in order.
            strings = message.string if isinstance(message.string, tuple) else ()
            for index, example in enumerate(examples):
                sheet.append(
                    (
                        "Interface",
                        f"Plural form {index + 1} of {len(examples)} (for counts like {example})",
                        english_forms[0] if index == 0 else english_forms[1],
                        strings[index] if index < len(strings) else "",
                        notes,
                    )
                )
            continue
        sheet.append(
            (
                "Questionnaire" if is_questionnaire else "Interface",
                context if is_questionnaire else context or None,
                str(message.id),
                str(message.string or ""),
                notes,
            )
        )
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for column, width in zip("ABCDE", (14, 40, 60, 60, 30), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    book.save(output)


def _plural_examples(catalog: Catalog) -> list[int]:
    """A count that takes each of the language's plural forms, in the catalogue's order."""
    rule = gettext.c2py(catalog.plural_expr)
    return [
        next((n for n in range(200) if rule(n) == form), form)
        for form in range(catalog.num_plurals)
    ]


def _placeholders_in(text: str) -> list[str]:
    return re.findall(r"\{[a-z_]+(?::[^}]*)?\}|%\([a-z_]+\)[sd]", text)


@translations_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--language", "code", help="The language, if the file name does not say (pl.po).")
@click.option("--reviewed-by", help="Mark the translation as reviewed by this translator.")
def import_(path: Path, code: str | None, reviewed_by: str | None) -> None:
    """Read back a translated .po or .xlsx file, checked entry by entry."""
    language = _language(code or path.stem.split(".")[0])
    survey = _survey_for_translation()
    imported = split(
        _read_file(path, language.code),
        language.code,
        survey,
        is_spreadsheet=path.suffix.lower() == ".xlsx",
    )
    _check_interface_placeholders(imported.interface)
    status = imported.review_status
    if reviewed_by:
        status = f"reviewed by {reviewed_by.strip()} on {dt.date.today():%d %B %Y}"
    try:
        translation = apply(
            survey.definition,
            imported.questionnaire,
            language=language.code,
            review_status=status,
        )
    except DefinitionError as error:
        raise ImportProblem(f"Nothing was imported: {error}") from None
    # Every file is written beside its place first, and put in place only once the database
    # has the translation: a failure part-way leaves the catalogues as they were.
    interface_path = _interface_path(language.code)
    questionnaire_path = _questionnaire_path(survey, language.code)
    ready = {
        interface_path: _written(imported.interface, interface_path, status, language),
        questionnaire_path: _written(imported.questionnaire, questionnaire_path, status, language),
    }
    ready[interface_path.with_suffix(".mo")] = _compiled(ready[interface_path], interface_path)
    try:
        from .setup_data import store_translation

        store_translation(survey, translation)
        db.session.commit()
    except Exception:
        db.session.rollback()
        for temporary in ready.values():
            temporary.unlink(missing_ok=True)
        raise
    for final, temporary in ready.items():
        os.replace(temporary, final)
    languages.interface_catalogues.cache_clear()
    interface = languages.interface_catalogues()[language.code]
    click.echo(f"Imported {language.english_name} ({status}).")
    click.echo(
        f"  Interface: {'complete' if interface.complete else f'{len(interface.missing)} missing'}."
    )
    click.echo(f"  {translation_summary(language.code, translation.missing)}")
    click.echo("Restart the service to show the new text.")


@translations_cli.command("status")
@click.option("--all", "show_all", is_flag=True, help="List every missing text, not the first 10.")
def status(show_all: bool) -> None:
    """Every language: complete or what is missing, reviewed or awaiting review, offered or not."""
    survey = _survey_for_translation()
    rows = {
        row.language: row
        for row in db.session.scalars(
            select(SurveyTranslation).where(SurveyTranslation.survey_id == survey.id)
        )
    }
    catalogues = languages.interface_catalogues()
    if not catalogues and not rows:
        click.echo("No translations yet: `flask translations export CODE` starts one.")
    for code in sorted(set(catalogues) | set(rows)):
        language = languages.language(code)
        interface = catalogues.get(code)
        row = rows.get(code)
        interface_missing = list(interface.missing) if interface else ["(no interface catalogue)"]
        questionnaire_missing = list(row.missing) if row else ["(not loaded for this survey)"]
        offered = not interface_missing and not questionnaire_missing
        click.echo(
            f"{language.english_name} ({language.name}): "
            f"{'offered to residents' if offered else 'NOT offered to residents'}; "
            f"{interface.review_status if interface else languages.AWAITING_REVIEW}"
        )
        for label, missing in (
            ("interface", interface_missing),
            (f"questionnaire {survey.label}", questionnaire_missing),
        ):
            if not missing:
                click.echo(f"  {label}: complete")
                continue
            click.echo(f"  {label}: {len(missing)} missing")
            for item in missing if show_all else missing[:10]:
                click.echo(f"    - {item[:100]}")
