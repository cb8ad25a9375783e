"""A simulated data exchange: seeded department records per ID number, served over real HTTP.

    server = SimulatedExchange(load_records(), port=0, latency_ms=50, failure_rate=0.1)
    server.start()          # a background thread; server.url is the base URL
    ...
    server.stop()

Or from the shell: `python manage.py run_exchange --port 8765 --latency-ms 50 --failure-rate 0.1`.

Besides the settable latency and failure rate, a record may carry `"simulate"` to make every batch
that asks about that ID number misbehave, for tests and the demo:
`"timeout"` (no answer until the client gives up), `"error"` (HTTP 500) or `"garbage"` (a 200 that is
not JSON).
"""

import json
import logging
import random
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

logger = logging.getLogger(__name__)

DEFAULT_FIXTURE = Path(__file__).with_name("fixtures") / "records.json"
MAX_REQUEST_BYTES = 1024 * 1024
HANG_SECONDS = 60
_QUERY_PATH = re.compile(r"^/departments/([a-z_]+)/query/?$")


def load_records(path=None) -> dict:
    """{department: {id_number: record}} from a JSON fixture (the default one if no path)."""
    with open(path or DEFAULT_FIXTURE, encoding="utf-8") as fh:
        data = json.load(fh)
    return {dept: dict(rows) for dept, rows in data.items() if not dept.startswith("_")}


class _Handler(BaseHTTPRequestHandler):
    server_version = "SimulatedExchange/1.0"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        if self.server.exchange.verbose:
            logger.info("exchange %s - " + fmt, self.client_address[0], *args)

    def _send(self, status, body: bytes, content_type="application/json; charset=utf-8"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def _json(self, status, data):
        self._send(status, json.dumps(data, ensure_ascii=False).encode("utf-8"))

    def do_GET(self):
        exchange = self.server.exchange
        if self.path.rstrip("/") == "/healthz":
            return self._json(200, {"status": "ok"})
        if self.path.rstrip("/") == "/departments":
            return self._json(200, {"departments": sorted(exchange.records)})
        return self._json(404, {"error": "not found"})

    def do_POST(self):
        exchange = self.server.exchange
        exchange.count_request()
        match = _QUERY_PATH.match(self.path)
        if not match:
            return self._json(404, {"error": "not found"})
        department = match.group(1)
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if not 0 < length <= MAX_REQUEST_BYTES:
            return self._json(400, {"error": "bad length"})
        try:
            payload = json.loads(self.rfile.read(length).decode("utf-8"))
            ids = payload["id_numbers"]
            if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
                raise ValueError
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            return self._json(400, {"error": "bad request"})
        if department not in exchange.records:
            return self._json(404, {"error": f"unknown department {department}"})

        if exchange.latency_ms:
            exchange.stopping.wait(exchange.latency_ms / 1000)
        if exchange.should_fail():
            return self._json(503, {"error": "simulated failure"})
        rows = exchange.records[department]
        behaviours = {rows[i].get("simulate") for i in ids if i in rows}
        if "timeout" in behaviours:
            exchange.stopping.wait(exchange.hang_seconds)
            return self._json(504, {"error": "simulated timeout"})
        if "error" in behaviours:
            return self._json(500, {"error": "simulated error"})
        if "garbage" in behaviours:
            return self._send(200, b"<html>\xff\xfe not json", "text/html")
        results = []
        for number in ids:
            record = rows.get(number)
            if record is None:
                results.append({"id_number": number, "found": False})
            else:
                clean = {k: v for k, v in record.items() if k != "simulate"}
                results.append({"id_number": number, "found": True, "record": clean})
        return self._json(200, {"department": department, "results": results})


class SimulatedExchange:
    def __init__(self, records=None, *, host="127.0.0.1", port=0, latency_ms=0, failure_rate=0.0,
                 seed=None, verbose=False, hang_seconds=HANG_SECONDS):
        if not 0.0 <= failure_rate <= 1.0:
            raise ValueError("failure_rate must be between 0 and 1")
        self.records = records if records is not None else load_records()
        self.latency_ms = max(0, int(latency_ms))
        self.failure_rate = float(failure_rate)
        self.hang_seconds = hang_seconds
        self.verbose = verbose
        self.requests = 0
        self.stopping = threading.Event()
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer((host, port), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.exchange = self
        self._thread = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def should_fail(self) -> bool:
        if not self.failure_rate:
            return False
        with self._lock:
            return self._random.random() < self.failure_rate

    def count_request(self):
        with self._lock:
            self.requests += 1

    def add(self, department: str, id_number: str, record: dict):
        self.records.setdefault(department, {})[id_number] = record

    def start(self):
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="simulated-exchange", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self):
        self.httpd.serve_forever()

    def stop(self):
        self.stopping.set()  # releases handlers waiting on latency or a simulated hang
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def wait_until_up(url, timeout=5.0):
    """Block until `GET url/healthz` answers (for scripts that start the command in a subprocess)."""
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=0.5) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
