"""Small helpers the suites share: a day in Daqing's time, calls at the same moment, the API's error shape,
a real PDF."""

import io
import threading
from datetime import date, datetime

import time_machine
from django.db import connection
from django.utils import timezone


def at(day: date, hour=10):
    """Travel to `day` at `hour` o'clock, local time (Asia/Shanghai), with the clock standing still."""
    return time_machine.travel(timezone.make_aware(datetime(day.year, day.month, day.day, hour)), tick=False)


def at_once(*calls):
    """Run the calls in threads released together (each with its own database connection); returns
    each call's result, or the exception it raised. For real-concurrency tests on PostgreSQL."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as exc:  # noqa: BLE001 - returned to the test, which asserts on it
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return outcomes


def api_error(response, status):
    """The response has `status` and the API's one error shape with a message; returns the body."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"} and body["message"]
    return body


def pdf_bytes(pages=1) -> bytes:
    """A small but complete PDF (written by pypdf: header, pages, cross-reference table, trailer), as
    an upload must be to pass gongzufang.uploads' parsing."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
