"""The bank's disbursement (代发) payment file of a batch, in the format of docs/bank.md:

    批次号,序号,户名,账号,金额,摘要

CSV (UTF-8 with a BOM, so Excel opens it in Chinese) or xlsx, one header row. Both are written line
by line from a chunked query: the CSV as a generator of byte chunks for a StreamingHttpResponse, the
xlsx by openpyxl's write-only workbook into a temporary file that is then streamed. Neither is ever
held whole in memory.
"""

import csv
import io
import tempfile

from .models import PaymentLine

HEADER = ["批次号", "序号", "户名", "账号", "金额", "摘要"]
ROWS_PER_CHUNK = 2000


def _summary(batch) -> str:
    return f"{batch.period.year}年{batch.period.month}月租赁补贴"


def rows(batch):
    """Each line of the file (without the header), in 序号 order."""
    summary = _summary(batch)
    lines = (PaymentLine.objects.filter(batch=batch).order_by("line_no")
             .values_list("line_no", "account__holder_name", "account__account_no", "amount"))
    for line_no, name, account_no, amount in lines.iterator(chunk_size=ROWS_PER_CHUNK):
        yield [batch.number, line_no, name, account_no, f"{amount:.2f}", summary]


def write_csv(batch):
    """The CSV file as byte chunks (about ROWS_PER_CHUNK lines each)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(HEADER)
    for count, row in enumerate(rows(batch), start=1):
        writer.writerow(row)
        if count % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def write_xlsx(batch):
    """The xlsx file in a temporary file (write-only workbook: rows go to disk as they are written),
    positioned at its start; the caller streams and closes it."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("代发明细")
    sheet.append(HEADER)
    for row in rows(batch):
        # 账号 as text: a 19-digit number would lose digits as a number.
        account = WriteOnlyCell(sheet, value=row[3])
        account.number_format = "@"
        sheet.append([row[0], row[1], row[2], account, row[4], row[5]])
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - the caller streams and closes it
    workbook.save(handle)
    handle.seek(0)
    return handle
