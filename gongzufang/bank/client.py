"""HTTP client for the bank (建设银行大庆分行), stdlib only, like the exchange's client.

Wire format (docs/bank.md; the simulated bank in `simulated.py` serves the same):

    POST {BANK_URL}/api/orders                 JSON {order_no, amount, subject, notify_url, return_url, expires_at}
                                               → 200/201 {"order_no", "pay_url"}
    GET  {BANK_URL}/api/orders/<order_no>      → 200 {"order_no", "status", "bank_txn_id", "amount", "paid_at"}
                                                 404 for an order the bank does not know (status UNKNOWN)
    POST {BANK_URL}/api/accounts/verify        JSON {name, account_no} → 200 {"ok", "reason"}
    POST {BANK_URL}/api/disbursements          multipart field `file` (CSV or xlsx) → 200 result CSV
    GET  {BANK_URL}/api/statements/<YYYY-MM-DD>.csv → 200 statement CSV

Any failure to get a well-formed answer — refused connection, timeout, 5xx, a body not in the format
above — raises `BankError`, whose str() is a Chinese message for staff (the exception's details go to
the log). A 4xx with the bank's own reason raises `BankError` carrying that reason.
"""

import http.client
import json
import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from urllib.parse import quote, urlsplit

from django.conf import settings

logger = logging.getLogger(__name__)
MAX_REPLY_BYTES = 20 * 1024 * 1024
CENT = Decimal("0.01")
ORDER_STATUSES = ("PENDING", "SUCCESS", "FAILED", "UNKNOWN")


class BankError(Exception):
    """The bank gave no usable answer; str() says why, in Chinese."""

    def __init__(self, message, *, status=None):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class OrderState:
    order_no: str
    status: str  # PENDING | SUCCESS | FAILED | UNKNOWN
    bank_txn_id: str = ""
    amount: Decimal | None = None
    paid_at: datetime | None = None


@dataclass(frozen=True)
class AccountCheck:
    ok: bool
    reason: str = ""  # Chinese, "" when ok


def money_text(amount) -> str:
    """"123.45": the wire form of an amount (Decimal, half up to the fen)."""
    return str(Decimal(amount).quantize(CENT, ROUND_HALF_UP))


def parse_money(text) -> Decimal:
    """An amount as the bank writes it ("123.45") → Decimal; ValueError for anything else."""
    if not isinstance(text, str):
        raise ValueError("金额须为字符串")
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(f"金额“{text}”格式不正确") from None
    if not value.is_finite() or value != value.quantize(CENT) or value < 0:
        raise ValueError(f"金额“{text}”格式不正确")
    return value.quantize(CENT)


def parse_time(text) -> datetime:
    """An ISO 8601 time with its offset (the bank writes +08:00) → aware datetime."""
    value = datetime.fromisoformat(str(text))
    if value.tzinfo is None:
        raise ValueError("时间缺少时区")
    return value


class BankClient:
    def __init__(self, base_url=None, *, timeout=None):
        self.base_url = (base_url or settings.BANK_URL).rstrip("/")
        self.timeout = float(timeout if timeout is not None else settings.BANK_TIMEOUT_SECONDS)
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"BANK_URL must be an http(s) URL, got {self.base_url!r}")
        self._parts = parts

    # ------------------------------------------------------------------ wire
    def _request(self, method, path, *, body=None, headers=None, timeout=None):
        cls = http.client.HTTPSConnection if self._parts.scheme == "https" else http.client.HTTPConnection
        conn = cls(self._parts.hostname, self._parts.port, timeout=timeout or self.timeout)
        full_path = f"{self._parts.path.rstrip('/')}{path}"
        try:
            conn.request(method, full_path, body=body, headers=headers or {})
            response = conn.getresponse()
            raw = response.read(MAX_REPLY_BYTES + 1)
        except TimeoutError:
            raise BankError(f"银行接口超时（{timeout or self.timeout:g} 秒）") from None
        except (OSError, http.client.HTTPException) as exc:
            logger.warning("bank %s %s unreachable: %r", method, path, exc)
            raise BankError(f"无法连接银行接口（{_reason(exc)}）") from None
        finally:
            conn.close()
        if len(raw) > MAX_REPLY_BYTES:
            raise BankError("银行接口应答过大")
        return response.status, raw

    def _json(self, method, path, payload=None):
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8") if payload is not None else None
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"
        status, raw = self._request(method, path, body=body, headers=headers)
        try:
            data = json.loads(raw.decode("utf-8")) if raw else {}
        except (UnicodeDecodeError, ValueError):
            data = None
        if status >= 500:
            raise BankError(f"银行接口返回错误（HTTP {status}）", status=status)
        if not isinstance(data, dict):
            raise BankError("银行接口应答格式错误（不是 JSON 对象）", status=status)
        return status, data

    @staticmethod
    def _refused(status, data):
        why = data.get("error") if isinstance(data.get("error"), str) else ""
        return BankError(f"银行拒绝了请求：{why or f'HTTP {status}'}", status=status)

    # ------------------------------------------------------------------ payment orders (rent)
    def create_order(self, *, order_no: str, amount: Decimal, subject: str, notify_url: str, return_url: str,
                     expires_at: datetime) -> str:
        """Register a payment order with the bank; returns the bank's pay-page URL for the payer.
        Registering the same order_no with the same amount again returns the same URL."""
        if expires_at.tzinfo is None:
            raise ValueError("expires_at must be aware")
        status, data = self._json("POST", "/api/orders", {
            "order_no": order_no, "amount": money_text(amount), "subject": subject,
            "notify_url": notify_url, "return_url": return_url, "expires_at": expires_at.isoformat(),
        })
        if status not in (200, 201):
            raise self._refused(status, data)
        pay_url = data.get("pay_url")
        if not isinstance(pay_url, str) or not pay_url.startswith(("http://", "https://")):
            raise BankError("银行接口应答格式错误（缺少支付页地址）")
        return pay_url

    def query_order(self, order_no: str) -> OrderState:
        """What the bank knows of an order (for notifications that never came)."""
        status, data = self._json("GET", f"/api/orders/{quote(order_no, safe='')}")
        if status == 404:
            return OrderState(order_no=order_no, status="UNKNOWN")
        if status != 200:
            raise self._refused(status, data)
        state = data.get("status")
        if state not in ORDER_STATUSES or data.get("order_no") != order_no:
            raise BankError("银行接口应答格式错误（订单状态无效）")
        try:
            amount = parse_money(data["amount"]) if data.get("amount") not in (None, "") else None
            paid_at = parse_time(data["paid_at"]) if data.get("paid_at") else None
        except (ValueError, TypeError):
            raise BankError("银行接口应答格式错误（金额或时间无效）") from None
        return OrderState(order_no=order_no, status=state, bank_txn_id=str(data.get("bank_txn_id") or ""),
                          amount=amount, paid_at=paid_at)

    # ------------------------------------------------------------------ accounts and disbursements (subsidies)
    def verify_account(self, *, name: str, account_no: str) -> AccountCheck:
        """Whether `account_no` is an open account held by `name`; `.reason` says why not, in Chinese."""
        status, data = self._json("POST", "/api/accounts/verify", {"name": name, "account_no": account_no})
        if status != 200:
            raise self._refused(status, data)
        ok, reason = data.get("ok"), data.get("reason") or ""
        if not isinstance(ok, bool) or not isinstance(reason, str):
            raise BankError("银行接口应答格式错误（账户核验结果无效）")
        return AccountCheck(ok=ok, reason="" if ok else (reason or "账户核验未通过"))

    def submit_disbursement(self, batch_no: str, fileobj, filename: str) -> bytes:
        """Upload a 代发 payment file (CSV or xlsx, docs/bank.md); returns the bank's result file (CSV
        bytes, UTF-8). The same 批次号 again returns the same result file."""
        content = fileobj.read() if hasattr(fileobj, "read") else bytes(fileobj)
        if isinstance(content, str):
            content = content.encode("utf-8")
        boundary = f"----gzfbank{secrets.token_hex(12)}"
        safe_name = filename.replace('"', "").replace("\r", "").replace("\n", "")
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="batch_no"\r\n\r\n'.encode() + batch_no.encode() + b"\r\n",
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{safe_name}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n",
            f"--{boundary}--\r\n".encode(),
        ]
        body = b"".join(parts)
        status, raw = self._request("POST", "/api/disbursements", body=body, timeout=max(self.timeout, 30.0), headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}", "Accept": "text/csv"})
        if status != 200:
            try:
                data = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                data = {}
            if status >= 500 or not isinstance(data, dict):
                raise BankError(f"银行接口返回错误（HTTP {status}）", status=status)
            raise self._refused(status, data)
        if not raw.lstrip(b"\xef\xbb\xbf").startswith("批次号".encode()):
            raise BankError("银行接口应答格式错误（不是代发结果文件）")
        return raw

    def statement(self, day: date) -> bytes:
        """That day's statement of received payments (CSV, UTF-8, docs/bank.md)."""
        status, raw = self._request("GET", f"/api/statements/{day.isoformat()}.csv", headers={"Accept": "text/csv"})
        if status != 200:
            raise BankError(f"银行接口返回错误（HTTP {status}）", status=status)
        if not raw.lstrip(b"\xef\xbb\xbf").startswith("交易日期".encode()):
            raise BankError("银行接口应答格式错误（不是对账单）")
        return raw


def get_bank(base_url=None, *, timeout=None) -> BankClient:
    """The bank at settings.BANK_URL (or `base_url`)."""
    return BankClient(base_url, timeout=timeout)


def _reason(exc) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "连接被拒绝，银行接口可能未启动"
    if isinstance(exc, ConnectionResetError):
        return "连接被中断"
    if isinstance(exc, http.client.HTTPException):
        return "应答格式错误"
    return "网络错误"
