"""HTTP/JSON client for the city's data exchange (政务数据共享交换平台), stdlib only.

Wire format (the simulated exchange in `simulated.py` serves the same):

    POST {EXCHANGE_URL}/departments/{department}/query
    {"id_numbers": ["230602...", ...]}
    → 200 {"department": "hukou",
           "results": [{"id_number": "230602...", "found": true, "record": {...}}, ...]}

Any failure to get a well-formed 200 reply — refused connection, timeout, 4xx/5xx, a body that is
not the JSON above — raises `ExchangeUnavailable`; the adapter turns that into `unknown` results.

A client keeps one HTTP/1.1 connection per thread open between requests (keep-alive): the runner sends
thousands of batches from a pool of threads, and a new TCP (on the real exchange, TLS) connection per
batch cost a round trip and a server thread each. A kept connection the server has meanwhile closed
fails before any reply comes back; the query is then sent once more on a new connection (a query
changes nothing, so sending it twice is harmless). `close()` closes them all.
"""

import hashlib
import http.client
import json
import logging
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

logger = logging.getLogger(__name__)
MAX_REPLY_BYTES = 10 * 1024 * 1024


class ExchangeUnavailable(Exception):
    """The exchange gave no usable answer; `reason` says why, in Chinese, for logs and caseworkers."""

    def __init__(self, reason, *, reply_hash=""):
        super().__init__(reason)
        self.reason = reason
        self.reply_hash = reply_hash


@dataclass(frozen=True)
class Reply:
    department: str
    rows: dict  # id_number -> {"found": bool, "record": dict}
    reply_hash: str  # SHA-256 of the raw body, kept with every result of the batch
    elapsed_ms: int


class ExchangeClient:
    def __init__(self, base_url=None, *, timeout=None, token=None):
        self.base_url = (base_url or settings.EXCHANGE_URL).rstrip("/")
        self.timeout = float(timeout if timeout is not None else settings.EXCHANGE_TIMEOUT_SECONDS)
        self.token = token if token is not None else getattr(settings, "EXCHANGE_TOKEN", "")
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"EXCHANGE_URL must be an http(s) URL, got {self.base_url!r}")
        self._parts = parts
        self._local = threading.local()  # this thread's kept connection
        self._opened = []  # every connection made, for close()
        self._lock = threading.Lock()

    def _connection(self):
        cls = http.client.HTTPSConnection if self._parts.scheme == "https" else http.client.HTTPConnection
        # The timeout covers connecting and each read; the simulated and the real exchange both
        # answer in one piece, so it bounds the whole request in practice.
        return cls(self._parts.hostname, self._parts.port, timeout=self.timeout)

    def _kept_connection(self):
        """(this thread's connection, whether it was used before)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            return conn, True
        conn = self._local.conn = self._connection()
        with self._lock:
            self._opened.append(conn)
        return conn, False

    def _drop_connection(self):
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            conn.close()
            with self._lock:
                if conn in self._opened:  # (close() may have taken it already)
                    self._opened.remove(conn)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        """Close every thread's kept connection (call when no query is running)."""
        with self._lock:
            opened, self._opened = self._opened, []
        for conn in opened:
            conn.close()

    def _exchange(self, path, body, headers):
        """(response, raw body) on this thread's connection; once more on a new one if a kept
        connection turns out closed before any reply."""
        while True:
            conn, reused = self._kept_connection()
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                raw = response.read(MAX_REPLY_BYTES + 1)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self._drop_connection()
                if reused:
                    continue
                raise
            except BaseException:
                self._drop_connection()  # a timeout or a half-read reply leaves it unusable
                raise
            if response.will_close or not response.isclosed():  # (not read to its end: too large)
                self._drop_connection()
            return response, raw

    def query(self, department: str, id_numbers: list[str]) -> Reply:
        body = json.dumps({"id_numbers": list(id_numbers)}).encode()
        path = f"{self._parts.path.rstrip('/')}/departments/{department}/query"
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        started = time.monotonic()
        try:
            response, raw = self._exchange(path, body, headers)
        except TimeoutError:
            raise ExchangeUnavailable(f"交换平台超时（{self.timeout:g} 秒）") from None
        except (OSError, http.client.HTTPException) as exc:
            # Caseworkers read this; the exception's class name goes to the log only.
            logger.warning("exchange %s unreachable: %r", department, exc)
            raise ExchangeUnavailable(f"无法连接交换平台（{_reason(exc)}）") from None
        elapsed_ms = int((time.monotonic() - started) * 1000)
        reply_hash = hashlib.sha256(raw).hexdigest()
        if response.status != 200:
            raise ExchangeUnavailable(f"交换平台返回 HTTP {response.status}", reply_hash=reply_hash)
        if len(raw) > MAX_REPLY_BYTES:
            raise ExchangeUnavailable("交换平台应答过大", reply_hash=reply_hash)
        rows = _parse(raw, department, set(id_numbers), reply_hash)
        return Reply(department=department, rows=rows, reply_hash=reply_hash, elapsed_ms=elapsed_ms)


def enrol_resident(name: str, id_number: str, *, base_url=None, timeout=None) -> bool:
    """Development only (`settings.EXCHANGE_SIMULATED`): ask the simulated exchange to give a valid ID
    number it does not know an ordinary record under `name` (simulated.py). True if it made one; False
    if it knew the number already or could not be reached (the check that follows then says so)."""
    client = ExchangeClient(base_url, timeout=timeout)
    body = json.dumps({"id_number": id_number, "name": name}, ensure_ascii=False).encode()
    conn = client._connection()
    try:
        conn.request("POST", f"{client._parts.path.rstrip('/')}/simulate/residents", body=body,
                     headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()
    return response.status == 201


def _parse(raw: bytes, department: str, asked: set, reply_hash: str) -> dict:
    def garbage(why):
        return ExchangeUnavailable(f"交换平台应答格式错误（{why}）", reply_hash=reply_hash)

    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise garbage("不是 JSON") from None
    if not isinstance(data, dict) or data.get("department") != department:
        raise garbage("部门不符")
    results = data.get("results")
    if not isinstance(results, list):
        raise garbage("缺少 results")
    rows = {}
    for item in results:
        if not isinstance(item, dict) or not isinstance(item.get("id_number"), str):
            raise garbage("结果项无效")
        found = item.get("found")
        record = item.get("record") or {}
        if not isinstance(found, bool) or not isinstance(record, dict):
            raise garbage("结果项无效")
        if item["id_number"] in asked:  # never trust rows about people we did not ask about
            rows[item["id_number"]] = {"found": found, "record": record}
    return rows


def _reason(exc) -> str:
    """Why the exchange could not be reached, in words a caseworker understands."""
    if isinstance(exc, ConnectionRefusedError):
        return "连接被拒绝，平台可能未启动"
    if isinstance(exc, ConnectionResetError):
        return "连接被中断"
    if isinstance(exc, http.client.HTTPException):
        return "应答格式错误"
    return "网络错误"
