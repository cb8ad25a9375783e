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

With `generate=True` (`--generate`) an ID number without a seeded record gets a benign one derived
from a hash of the number (the same every time): a registered, living resident with a modest income
and no property, vehicle or business — for benchmarks that need thousands of people.

For trying the portal in development with one's own identity, `POST /simulate/residents` with
`{"id_number": …, "name": …}` gives a valid ID number it does not know an ordinary generated record in
every department, registered under the name typed; a number it already knows (a seeded person, or one
enrolled before) keeps its record, so a seeded person's name mismatch still shows. This endpoint exists
only here: the city's exchange has no such thing, and the portal calls it only when
`settings.EXCHANGE_SIMULATED` is on (issue 12, item 19).
"""

import hashlib
import json
import logging
import random
import re
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

logger = logging.getLogger(__name__)

DEFAULT_FIXTURE = Path(__file__).with_name("fixtures") / "records.json"
MAX_REQUEST_BYTES = 1024 * 1024
HANG_SECONDS = 60
_QUERY_PATH = re.compile(r"^/departments/([a-z_]+)/query/?$")
_ENROL_PATH = "/simulate/residents"
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def valid_id_number(number: str) -> bool:
    """GB 11643-1999 shape and ISO 7064 MOD 11-2 check character (the exchange checks for itself)."""
    if not isinstance(number, str) or not re.fullmatch(r"\d{17}[\dX]", number):
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == number[17]


def load_records(path=None) -> dict:
    """{department: {id_number: record}} from a JSON fixture (the default one if no path)."""
    with open(path or DEFAULT_FIXTURE, encoding="utf-8") as fh:
        data = json.load(fh)
    return {dept: dict(rows) for dept, rows in data.items() if not dept.startswith("_")}


class _Handler(BaseHTTPRequestHandler):
    server_version = "SimulatedExchange/1.0"
    protocol_version = "HTTP/1.1"
    timeout = 60  # an idle kept-alive connection is closed after this many seconds
    # Headers and body are two writes: on a kept connection Nagle's algorithm would hold the body
    # back until the client's delayed ACK of the headers (~40 ms); real gateways set TCP_NODELAY too.
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        if self.server.exchange.verbose:
            logger.info("exchange %s - " + fmt, self.client_address[0], *args)

    def setup(self):
        super().setup()
        self.server.exchange.count_connection()

    def handle_one_request(self):
        # Keep-alive as a real gateway does, but only once a request's body has been read whole
        # (`keep_alive`): an unread body would be taken for the next request.
        self.keep_alive = False
        super().handle_one_request()

    def _stopped(self) -> bool:
        """A request on a kept connection after stop(): closed unanswered, so the client reconnects
        (and finds nobody listening) instead of being answered by a stopped exchange."""
        if self.server.exchange.stopping.is_set():
            self.close_connection = True
            return True
        return False

    def _send(self, status, body: bytes, content_type="application/json; charset=utf-8"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if not self.keep_alive:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status, data):
        self._send(status, json.dumps(data, ensure_ascii=False).encode("utf-8"))

    def do_GET(self):
        if self._stopped():
            return
        self.keep_alive = True
        exchange = self.server.exchange
        if self.path.rstrip("/") == "/healthz":
            return self._json(200, {"status": "ok"})
        if self.path.rstrip("/") == "/departments":
            return self._json(200, {"departments": sorted(exchange.records)})
        return self._json(404, {"error": "not found"})

    def do_POST(self):
        if self._stopped():
            return
        exchange = self.server.exchange
        if self.path.rstrip("/") == _ENROL_PATH:
            return self._enrol()
        match = _QUERY_PATH.match(self.path)
        if not match:
            exchange.count_request(None)
            return self._json(404, {"error": "not found"})
        department = match.group(1)
        exchange.count_request(department)
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if not 0 < length <= MAX_REQUEST_BYTES:
            return self._json(400, {"error": "bad length"})
        try:
            body = self.rfile.read(length)
            self.keep_alive = True
            payload = json.loads(body.decode("utf-8"))
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
        if exchange.record_bodies:
            exchange.received.append((department, payload))
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
            if record is None and exchange.generate:
                record = generated_record(department, number)
            if record is None:
                results.append({"id_number": number, "found": False})
            else:
                clean = {k: v for k, v in record.items() if k != "simulate"}
                results.append({"id_number": number, "found": True, "record": clean})
        return self._json(200, {"department": department, "results": results})


    def _enrol(self):
        try:
            length = int(self.headers.get("Content-Length", "0"))
            payload = json.loads(self.rfile.read(length).decode("utf-8")) if 0 < length <= MAX_REQUEST_BYTES else None
            number, name = payload["id_number"], str(payload["name"]).strip()
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            return self._json(400, {"error": "bad request"})
        if not valid_id_number(number) or not name or len(name) > 40:
            return self._json(400, {"error": "invalid id_number or name"})
        created = self.server.exchange.enrol(number, name)
        return self._json(201 if created else 200, {"id_number": number, "created": created})


class SimulatedExchange:
    def __init__(self, records=None, *, host="127.0.0.1", port=0, latency_ms=0, failure_rate=0.0,
                 seed=None, verbose=False, hang_seconds=HANG_SECONDS, generate=False, record_bodies=False):
        if not 0.0 <= failure_rate <= 1.0:
            raise ValueError("failure_rate must be between 0 and 1")
        self.records = records if records is not None else load_records()
        self.latency_ms = max(0, int(latency_ms))
        self.failure_rate = float(failure_rate)
        self.hang_seconds = hang_seconds
        self.verbose = verbose
        self.generate = generate
        # The next N queries answer 503 whatever the failure rate (an outage that then clears).
        self.fail_next = 0
        self.requests = 0
        self.connections = 0  # TCP connections accepted (a client keeps one per thread)
        self.requests_by_department = Counter()
        # Request bodies as received, when asked (tests prove that nothing but ID numbers is sent).
        self.record_bodies = record_bodies
        self.received: list[tuple[str, object]] = []
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
        with self._lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return True
            return bool(self.failure_rate) and self._random.random() < self.failure_rate

    def count_connection(self):
        with self._lock:
            self.connections += 1

    def count_request(self, department):
        with self._lock:
            self.requests += 1
            if department:
                self.requests_by_department[department] += 1

    def add(self, department: str, id_number: str, record: dict):
        self.records.setdefault(department, {})[id_number] = record

    def knows(self, id_number: str) -> bool:
        return any(id_number in rows for rows in self.records.values())

    def enrol(self, id_number: str, name: str) -> bool:
        """An ordinary generated record in every department for a number nobody seeded, under `name`.
        False (and nothing changed) for a number already known."""
        with self._lock:
            if self.knows(id_number):
                return False
            for department in list(self.records):
                record = generated_record(department, id_number)
                if department == "hukou":
                    record["name"] = name
                self.records[department][id_number] = record
            return True

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


_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"


def generated_record(department: str, id_number: str) -> dict:
    """A benign record for an ID number nobody seeded, the same on every call (`generate=True`)."""
    digest = hashlib.sha256(f"{department}:{id_number}".encode()).digest()
    person = hashlib.sha256(id_number.encode()).digest()  # the same name in every department

    def pick(seq, i):
        return seq[digest[i] % len(seq)]

    if department == "hukou":
        name = _SURNAMES[person[0] % len(_SURNAMES)] + _GIVEN[person[1] % len(_GIVEN)]
        if person[2] % 2:
            name += _GIVEN[person[3] % len(_GIVEN)]
        district = id_number[:6] if id_number[:4] == "2306" else "230602"
        return {"name": name, "hukou_district": district, "hukou_address": f"黑龙江省大庆市 {digest[0] % 30 + 1} 号",
                "status": "normal", "residence_permit": False}
    if department == "vehicles":
        return {"vehicles": []}
    if department == "property":
        return {"properties": [], "sales": []}
    if department == "civil_affairs":
        return {"minimum_living": False, "extreme_poverty": False, "since": None}
    if department == "social_insurance":
        return {"insured": True, "months_contributed": 12 + digest[0] % 100, "employer": "大庆某公司",
                "labour_contract_months": pick((12, 24, 36, 60), 1)}
    if department == "housing_fund":
        return {"account_status": "normal", "monthly_deposit": f"{200 + digest[0]}.00", "has_housing_loan": False}
    if department == "business":
        return {"businesses": []}
    if department == "tax":
        return {"year": 2025, "annual_income": f"{12000 + (int.from_bytes(digest[:2], 'big') % 8000)}.00"}
    if department == "disability":
        return {"disabled": False, "grade": None, "kind": ""}
    if department == "death":
        return {"deceased": False, "died_on": None}
    if department == "marriage":
        return {"marital_status": "married", "registered_on": f"20{10 + digest[0] % 15}-0{1 + digest[1] % 9}-1{digest[2] % 9}"}
    if department == "education":
        return {"highest_degree": pick(("高中", "大专", "本科"), 0), "school": "大庆某学校", "graduated_on": None}
    return {}


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
