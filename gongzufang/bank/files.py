"""Reading the bank's tabular files (payment files, result files, statements): CSV in UTF-8 (with or
without BOM) or Excel (xlsx, first sheet), as rows of stripped strings (docs/bank.md)."""

import csv
import io
from decimal import Decimal


class BankFileError(ValueError):
    """A file that cannot be read as a whole (Chinese message)."""


def read_table(content: bytes, filename: str) -> list[list[str]]:
    """Rows of a CSV (UTF-8, with or without BOM) or xlsx file, as stripped strings."""
    name = (filename or "").lower()
    if name.endswith(".xlsx") or content[:2] == b"PK":
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
        except Exception:  # openpyxl raises many kinds for a damaged file
            raise BankFileError("无法读取 Excel 文件（文件已损坏或不是 xlsx）") from None
        rows = []
        for row in sheet.iter_rows(values_only=True):
            cells = ["" if v is None else (format(v, "f") if isinstance(v, Decimal) else str(v)).strip() for v in row]
            if any(cells):
                rows.append(cells)
        return rows
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BankFileError("文件不是 UTF-8 编码的 CSV") from None
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text)) if any(c.strip() for c in row)]
