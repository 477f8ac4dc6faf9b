"""Reading a table of rows from a CSV or XLSX file, as a spreadsheet shows it.

The first row holds the headings; rows are numbered as the spreadsheet numbers them (the
headings are row 1), so a message can send a person straight to the cell. Callers name the
columns they want, and only those cells are handed back: nothing else in the file is kept.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

# Whatever the file holds: text from a CSV; text, numbers, dates or booleans from an XLSX.
Cell = object
# Excel saves "CSV (Comma delimited)" in the Windows code page; "CSV UTF-8" in UTF-8.
FALLBACK_ENCODING = "cp1252"
SAVE_AS_UTF8 = "save it from Excel as 'CSV UTF-8 (Comma delimited)' or as .xlsx"


class TableError(ValueError):
    """The file cannot be read as a table; the message says what to do."""


@dataclass
class Table:
    """A file's headings, and a way to read chosen columns of its rows."""

    name: str
    headings: list[str]
    _rows: Iterator[Sequence[Cell]]
    # How the text was read when it was not UTF-8, for the command to say.
    encoding_note: str | None = None

    def rows(self, indices: Sequence[int]) -> Iterator[tuple[int, list[Cell]]]:
        """(row number, the cells at `indices`) for each row below the headings that is not
        wholly empty."""
        for number, row in enumerate(self._rows, start=2):
            if not any(cell not in (None, "") for cell in row):
                continue  # a blank line, or cells Excel keeps for their formatting only
            yield number, [row[index] if index < len(row) else None for index in indices]


def cell_text(cell: Cell) -> str:
    """A cell as the spreadsheet shows it: 3 rather than 3.0, dates as 2023-05-14."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat(" ")
    if isinstance(cell, dt.date | dt.time):
        return cell.isoformat()
    return str(cell).strip()


@contextmanager
def open_table(path: Path) -> Iterator[Table]:
    """The table in a .csv file or the first sheet of an .xlsx file."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        yield _csv_table(path)
    elif suffix in (".xlsx", ".xlsm"):
        with _xlsx_table(path) as table:
            yield table
    elif suffix == ".xls":
        raise TableError(f"{path.name} is in the old Excel format: save it as .xlsx or as CSV")
    else:
        raise TableError(f"{path.name}: give a .csv or .xlsx file")


def _decoded(path: Path) -> tuple[str, str | None]:
    data = path.read_bytes()
    if data.startswith(b"PK\x03\x04"):
        raise TableError(f"{path.name} is a spreadsheet, not CSV text: name it .xlsx")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode(FALLBACK_ENCODING)
    except UnicodeDecodeError as error:
        raise TableError(
            f"{path.name} is neither UTF-8 nor Windows-1252 text (byte {error.start + 1} cannot "
            f"be read): {SAVE_AS_UTF8}"
        ) from None
    return text, f"{path.name} is not UTF-8: read it as Windows-1252, as Excel saves CSV"


def _csv_table(path: Path) -> Table:
    text, note = _decoded(path)
    if "\x00" in text:
        raise TableError(f"{path.name} holds NUL characters, so it is not CSV text: {SAVE_AS_UTF8}")
    first_line = text.split("\n", 1)[0]
    # Excel writes ";" between cells where the decimal point is a comma; tab-separated exports
    # are common too. A comma is taken unless the headings read as one column with it.
    delimiter = ","
    if len(next(csv.reader([first_line]), [])) == 1:
        delimiter = next((d for d in ";\t" if d in first_line), ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headings = next(reader, None)
    if not headings or not any(h.strip() for h in headings):
        raise TableError(f"{path.name} is empty: its first row must hold the column headings")

    def rows() -> Iterator[Sequence[Cell]]:
        try:
            yield from reader
        except csv.Error as error:
            raise TableError(f"{path.name} row {reader.line_num}: {error}") from None

    return Table(path.name, [h.strip() for h in headings], rows(), note)


@contextmanager
def _xlsx_table(path: Path) -> Iterator[Table]:
    try:
        # Read-only reads a row at a time, so a large export needs little memory; formulas give
        # the values last worked out.
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several kinds for a file that is not XLSX
        raise TableError(f"{path.name} could not be opened as a spreadsheet: {error}") from None
    try:
        sheet = book.worksheets[0]
        if not isinstance(sheet, ReadOnlyWorksheet):
            raise TableError(f"{path.name}: put the table of responses on the first sheet")
        # The size a sheet claims is not always true (some tools write it wrongly): read every
        # row there is.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        headings = next(rows, None)
        if not headings or not any(cell_text(h) for h in headings):
            raise TableError(
                f"{path.name}: the first row of its first sheet must hold the column headings"
            )
        yield Table(path.name, [cell_text(h) for h in headings], rows)
    finally:
        book.close()
