"""Values made safe to write into a spreadsheet, for every writer (CSV, XLSX export, workbook).

What residents type (free text, the tags in a channel link) and what staff name things (channels,
partners) reach the analyst's spreadsheets. Text that starts like a formula would run there:
openpyxl writes a string beginning with "=" as a formula, and Excel or LibreOffice evaluates a CSV
field beginning with "=", "+", "-", "@", a tab or a carriage return when the file is opened
(OWASP, "CSV Injection"). So such text is written as a literal: in an XLSX, a cell typed
as text; in a CSV, behind a single quote, which spreadsheet programs read as "this is text".
Numbers are not text and are left alone, so a negative number stays a number.

A workbook also cannot hold most control characters (openpyxl refuses the whole file), so those
are removed from text here, whatever was stored before the survey stopped accepting them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet
    from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(text: str) -> str:
    """The text without the control characters a workbook cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def csv_row(values: Iterable[Any]) -> list[Any]:
    """A row for csv.writer: None blank, formula-like text behind a quote, numbers as they are."""
    row: list[Any] = []
    for value in values:
        if value is None:
            value = ""
        elif isinstance(value, str):
            value = spreadsheet_text(value)
            if looks_like_formula(value):
                value = f"'{value}"
        row.append(value)
    return row


def xlsx_row(sheet: Worksheet | WriteOnlyWorksheet, values: Iterable[Any]) -> list[Any]:
    """A row for sheet.append in which no text becomes a formula (or an error value)."""
    return [_xlsx_value(sheet, value) for value in values]


def _xlsx_value(sheet: Worksheet | WriteOnlyWorksheet, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    text = spreadsheet_text(value)
    # openpyxl would type these itself: "=..." as a formula, "#N/A" and the like as errors.
    # Everything else it already writes as text, and a plain string costs less than a cell.
    if not (looks_like_formula(text) or text in ERROR_CODES):
        return text
    cell: Cell = WriteOnlyCell(sheet, text)
    cell.data_type = "s"
    # As if typed with a leading apostrophe: it stays text should someone edit the cell.
    cell.quotePrefix = True
    return cell
