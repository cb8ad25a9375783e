"""Excel downloads (openpyxl). Every workbook is written in openpyxl's write-only mode into a temporary
file (rows go to disk as they are written, not kept in memory) and sent from that file in blocks by a
FileResponse: an export of a hundred thousand rows runs in bounded memory, however big it is."""

import tempfile
from urllib.parse import quote

from django.http import FileResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from gongzufang.statistics_tables import NO_DATA

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheetml.sheet"
SHEET_TITLE_MAX = 31


def _sheet_title(title: str) -> str:
    for char in "[]:*?/\\":
        title = title.replace(char, " ")
    return title[:SHEET_TITLE_MAX]


def _header(sheet, columns):
    cells = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=str(column))
        cell.font = Font(bold=True)
        cells.append(cell)
    sheet.append(cells)


def _value(value):
    return NO_DATA if value is None else value


def write_tables(handle, tables, *, heading: str = "") -> None:
    """One sheet per table: a heading line, the header, the rows (a missing value reads 暂无数据), the note."""
    book = Workbook(write_only=True)
    for table in tables:
        sheet = book.create_sheet(_sheet_title(table.title))
        if heading:
            sheet.append([f"{table.title}（{heading}）"])
        _header(sheet, table.columns)
        for row in table.rows:
            sheet.append([_value(v) for v in row])
        if table.note:
            sheet.append([])
            sheet.append([f"说明：{table.note}"])
    book.save(handle)


def write_rows(handle, title: str, columns, rows) -> int:
    """One sheet of rows from an iterator (streamed to disk). Returns how many rows were written."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_sheet_title(title))
    _header(sheet, columns)
    written = 0
    for row in rows:
        sheet.append([_value(v) for v in row])
        written += 1
    book.save(handle)
    return written


def response(filename: str, write) -> FileResponse:
    """`write(handle)` fills a temporary file; the response streams it and deletes it when sent."""
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (the response closes it once sent)
    try:
        write(handle)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    reply = FileResponse(handle, content_type=XLSX, as_attachment=True, filename=filename)
    reply["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return reply
