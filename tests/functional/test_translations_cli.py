"""`flask translations`: a translator's round trip through .po and XLSX, checked entry by entry,
and `flask survey load` refusing a translation that does not fit its questionnaire."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select

from survey_app import languages, translations_cli
from survey_app.extensions import db
from survey_app.models import SurveyTranslation
from survey_app.questionnaire.definition import DEFAULT_DEFINITION, DEFINITIONS_DIR


@pytest.fixture
def own_copies(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The catalogues copied where an import may write, as in a checkout of the project."""
    interface = tmp_path / "translations"
    shutil.copytree(languages.TRANSLATIONS_DIR, interface)
    definitions = tmp_path / "definitions"
    shutil.copytree(DEFINITIONS_DIR, definitions)
    monkeypatch.setattr(languages, "TRANSLATIONS_DIR", interface)
    monkeypatch.setattr(languages, "INTERFACE_TEMPLATE", interface / "messages.pot")
    monkeypatch.setattr(translations_cli, "DEFINITIONS_DIR", definitions)
    languages.interface_catalogues.cache_clear()
    yield tmp_path
    languages.interface_catalogues.cache_clear()


def _po(path: Path, code: str = "pl"):  # type: ignore[no-untyped-def]
    """A catalogue as a translator's tool reads it: in its language, with its plural forms."""
    with path.open("rb") as file:
        return read_po(file, locale=code)


def test_export_po_has_interface_and_questionnaire_texts_with_what_is_done(
    runner, own_copies: Path
) -> None:
    out = own_copies / "pl.po"
    result = runner.invoke(args=["translations", "export", "pl", "--output", str(out)])

    assert result.exit_code == 0, result.output
    catalog = _po(out)
    back = catalog.get("Back")
    assert back is not None and back.string  # the interface, translated already
    title = next(m for m in catalog if m.context and m.context.endswith("-v1/title"))
    english = json.loads(DEFAULT_DEFINITION.read_text(encoding="utf-8"))["title"]
    assert title.id == english and title.string
    assert "0 still to translate into Polski" in result.output
    assert "Review status: awaiting review by a qualified translator" in out.read_text("utf-8")


def test_a_translators_po_file_comes_back_into_both_catalogues(
    app: Flask, runner, own_copies: Path
) -> None:
    out = own_copies / "pl.po"
    runner.invoke(args=["translations", "export", "pl", "--output", str(out)])
    catalog = _po(out)
    catalog.get("Back").string = "Wróć (poprawione)"
    title = next(m for m in catalog if m.context and m.context.endswith("-v1/title"))
    title.string = "Bezpieczny Milton Keynes (poprawione)"
    with out.open("wb") as file:
        write_po(file, catalog)

    result = runner.invoke(
        args=["translations", "import", str(out), "--reviewed-by", "A. Nowak, MKCC translation"]
    )

    assert result.exit_code == 0, result.output
    assert "Restart the service" in result.output
    interface = _po(own_copies / "translations" / "pl" / "LC_MESSAGES" / "messages.po")
    assert interface.get("Back").string == "Wróć (poprawione)"
    assert (own_copies / "translations" / "pl" / "LC_MESSAGES" / "messages.mo").exists()
    assert "reviewed by A. Nowak, MKCC translation on" in str(interface.header_comment)
    with app.app_context():
        stored = db.session.scalars(
            select(SurveyTranslation).where(SurveyTranslation.language == "pl")
        ).one()
        assert stored.definition["title"] == "Bezpieczny Milton Keynes (poprawione)"
        assert stored.missing == []
        assert stored.review_status.startswith("reviewed by A. Nowak")
    questionnaire = _po(own_copies / "definitions" / "safermk-perceptions-v1.pl.po")
    assert questionnaire.get(title.id, context="title").string == title.string

    status = runner.invoke(args=["translations", "status"])
    assert "Polish (Polski): offered to residents; reviewed by A. Nowak" in status.output


def test_an_xlsx_a_translator_fills_in_comes_back_too(app: Flask, runner, own_copies: Path) -> None:
    out = own_copies / "ro.xlsx"
    result = runner.invoke(
        args=["translations", "export", "ro", "--format", "xlsx", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    sheet = book.worksheets[0]
    assert [cell.value for cell in sheet[1]] == ["Part", "Where", "English", "Translation", "Notes"]
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows[0][0] == "Review status"
    parts = {row[0] for row in rows[1:]}
    assert parts == {"Interface", "Questionnaire"}
    continue_row = next(i for i, row in enumerate(rows, start=2) if row[2] == "Continue")
    sheet.cell(row=continue_row, column=4, value="Mai departe")
    book.save(out)

    imported = runner.invoke(args=["translations", "import", str(out)])

    assert imported.exit_code == 0, imported.output
    interface = _po(own_copies / "translations" / "ro" / "LC_MESSAGES" / "messages.po", "ro")
    assert interface.get("Continue").string == "Mai departe"
    assert "awaiting review by a qualified translator" in str(interface.header_comment)


def test_a_file_with_out_of_date_english_is_refused_and_nothing_is_written(
    runner, own_copies: Path
) -> None:
    out = own_copies / "ur.po"
    runner.invoke(args=["translations", "export", "ur", "--output", str(out)])
    before = (own_copies / "translations" / "ur" / "LC_MESSAGES" / "messages.po").read_bytes()
    catalog = _po(out, "ur")
    catalog.add("A button we no longer have", string="ایک بٹن")
    title = next(m for m in catalog if m.context and m.context.endswith("-v1/title"))
    catalog.add("An old title", string="پرانا عنوان", context=title.context)
    catalog.delete(title.id, context=title.context)
    with out.open("wb") as file:
        write_po(file, catalog)

    result = runner.invoke(args=["translations", "import", str(out)])

    assert result.exit_code == 1
    assert "Nothing was imported" in result.output
    assert "'A button we no longer have' is not in the service's text any more" in result.output
    assert "'An old title' is not in the questionnaire at that place any more" in result.output
    after = (own_copies / "translations" / "ur" / "LC_MESSAGES" / "messages.po").read_bytes()
    assert after == before


def test_a_translation_that_breaks_a_placeholder_is_refused(runner, own_copies: Path) -> None:
    out = own_copies / "pl.po"
    runner.invoke(args=["translations", "export", "pl", "--output", str(out)])
    catalog = _po(out)
    catalog.get("Part %(number)s of %(count)s: %(section)s").string = "Część %(numer)s"
    with out.open("wb") as file:
        write_po(file, catalog)

    result = runner.invoke(args=["translations", "import", str(out)])

    assert result.exit_code == 1
    assert "Part %(number)s of %(count)s" in result.output


def test_a_spreadsheet_with_its_columns_changed_is_refused(runner, own_copies: Path) -> None:
    out = own_copies / "pl.xlsx"
    runner.invoke(args=["translations", "export", "pl", "--format", "xlsx", "--output", str(out)])
    book = load_workbook(out)
    book.worksheets[0].delete_cols(2)
    book.save(out)

    result = runner.invoke(args=["translations", "import", str(out)])

    assert result.exit_code == 1
    assert "the first row must be the headings Part, Where, English, Translation, Notes" in (
        result.output
    )


def test_an_unknown_language_code_is_refused_in_plain_words(runner) -> None:
    result = runner.invoke(args=["translations", "export", "klingon"])
    assert result.exit_code == 1
    assert "'klingon' is not a language code to translate into, like pl" in result.output


def test_survey_load_refuses_a_translation_for_another_questionnaire(
    runner, tmp_path: Path
) -> None:
    definition = tmp_path / "mine.json"
    english = json.loads(DEFAULT_DEFINITION.read_text(encoding="utf-8"))
    definition.write_text(json.dumps({**english, "version": 7}), encoding="utf-8")
    polish = (DEFINITIONS_DIR / "safermk-perceptions-v1.pl.po").read_text(encoding="utf-8")
    (tmp_path / "mine.pl.po").write_text(
        polish.replace('msgctxt "title"', 'msgctxt "pages/no-such-page/title"'), encoding="utf-8"
    )

    result = runner.invoke(args=["survey", "load", str(definition)])

    assert result.exit_code == 1
    assert "'pages/no-such-page/title', which is not in safermk-perceptions version 7" in (
        result.output
    )


def test_survey_load_reports_each_translation(runner, tmp_path: Path) -> None:
    definition = tmp_path / "mine.json"
    english = json.loads(DEFAULT_DEFINITION.read_text(encoding="utf-8"))
    english["version"] = 8
    english["title"] = "A new title nobody has translated"
    definition.write_text(json.dumps(english), encoding="utf-8")
    shutil.copy(DEFINITIONS_DIR / "safermk-perceptions-v1.ro.po", tmp_path / "mine.ro.po")

    result = runner.invoke(args=["survey", "load", str(definition)])

    assert result.exit_code == 0, result.output
    assert "Romanian: 1 of the questionnaire's texts are not translated yet" in result.output


@pytest.mark.parametrize(
    ("english", "translation", "says"),
    [
        (
            "zoom in up to 400%% without the text spilling off the screen",
            "powiększyć do 400 % bez wychodzenia tekstu poza ekran",
            "write a percent sign as %%",
        ),
        (
            "Your answer must be {max_length} characters or fewer",
            "Odpowiedź może mieć najwyżej {maks} znaków",
            "must keep the same {placeholders} as the English ({max_length})",
        ),
        (
            "Enter a number that is {min} or more",
            "Wpisz liczbę {min} lub więcej }",
            "has a { or } that is not part of a {placeholder}",
        ),
        ("Continue", "<b>Dalej</b>", "has < or > where the English has none"),
    ],
)
def test_a_translation_the_service_could_not_fill_in_is_refused(
    runner, own_copies: Path, english: str, translation: str, says: str
) -> None:
    out = own_copies / "pl.po"
    runner.invoke(args=["translations", "export", "pl", "--output", str(out)])
    before = (own_copies / "translations" / "pl" / "LC_MESSAGES" / "messages.po").read_bytes()
    catalog = _po(out)
    catalog.get(english).string = translation
    with out.open("wb") as file:
        write_po(file, catalog)

    result = runner.invoke(args=["translations", "import", str(out)])

    assert result.exit_code == 1
    assert says in result.output
    after = (own_copies / "translations" / "pl" / "LC_MESSAGES" / "messages.po").read_bytes()
    assert after == before


def test_a_spreadsheet_with_only_some_rows_keeps_the_other_translations(
    runner, own_copies: Path
) -> None:
    out = own_copies / "pl.xlsx"
    runner.invoke(args=["translations", "export", "pl", "--format", "xlsx", "--output", str(out)])
    book = load_workbook(out)
    sheet = book.worksheets[0]
    continue_row = next(
        row[0].row for row in sheet.iter_rows(min_row=2) if row[2].value == "Continue"
    )
    sheet.cell(row=continue_row, column=4, value="Dalej!")
    # The translator sends back only the review row and the one they changed.
    keep = {1, 2, continue_row}
    for number in range(sheet.max_row, 1, -1):
        if number not in keep:
            sheet.delete_rows(number)
    book.save(out)
    book.close()

    result = runner.invoke(args=["translations", "import", str(out)])

    assert result.exit_code == 0, result.output
    interface = _po(own_copies / "translations" / "pl" / "LC_MESSAGES" / "messages.po")
    assert interface.get("Continue").string == "Dalej!"
    assert interface.get("Back").string  # still translated
    assert "Interface: complete" in result.output
    assert "the questionnaire is completely translated" in result.output
