"""A simulated bank (建设银行大庆分行) over real HTTP, for development, tests, the demo and benchmarks.

    server = SimulatedBank(port=0, notify_secret=settings.BANK_NOTIFY_SECRET)
    server.start()          # a background thread; server.url is the base URL (settings.BANK_URL)
    ...
    server.stop()

Or from the shell: `python manage.py run_bank --port 8766`. The wire formats are in docs/bank.md.

- Payment orders: `POST /api/orders` → `{"pay_url"}`; `GET /pay/<order_no>` is a Chinese pay page with
  the amount and two buttons, 支付成功 and 支付失败. Pressing one records the outcome, sends the signed
  notification of DESIGN §8 to the order's notify_url (first try at once, then in the background with
  back-off until the portal answers `{"code": "SUCCESS"}`) and sends the browser to return_url.
  `GET /api/orders/<order_no>` tells the order's state (for notifications that never arrived).
- Accounts: `POST /api/accounts/verify`. Numbers are 16–19 digits with a Luhn check digit; the
  fixture (fixtures/accounts.json) has closed accounts, accounts of given holders and accounts the bank
  does not have; any other valid number is an open account held by whichever name is asked first.
- Disbursement (代发): `POST /api/disbursements` (multipart `file`, CSV or xlsx) → the result CSV; the
  same 批次号 again gets the same result. `/disbursements/` is a small page to do it by hand.
- Statements: `GET /api/statements/<YYYY-MM-DD>.csv` (or `.xlsx`) lists the orders paid that day.

Test and demo hooks (the real bank has none of these): `lose_notifications(order_no)` or
`POST /simulate/lose-notifications` makes the bank never send an order's notification (`all=True`:
every order's); `pay(order_no, success=True)` does what the buttons do; `notification(order_no)` gives
the raw body and signature sent (to replay or forge); `resend(order_no)` sends it once more now;
`set_account(...)` or `POST /simulate/accounts`; `add_statement_line(...)` or
`POST /simulate/statement-lines` adds a line (a counter deposit, an unknown transfer, a differing
amount) to a day's statement.
"""

import csv
import html
import io
import json
import logging
import re
import secrets
import threading
import time
import urllib.error
import urllib.request
from datetime import date, datetime, timedelta
from decimal import Decimal
from email.parser import BytesParser
from email.policy import HTTP as HTTP_POLICY
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

from gongzufang.bank import signing
from gongzufang.bank.client import money_text, parse_money, parse_time
from gongzufang.bank.files import BankFileError as DisbursementFileError
from gongzufang.bank.files import read_table

logger = logging.getLogger(__name__)

CHINA = ZoneInfo("Asia/Shanghai")
DEFAULT_ACCOUNTS = Path(__file__).with_name("fixtures") / "accounts.json"
MAX_REQUEST_BYTES = 10 * 1024 * 1024
# Seconds between notification attempts: the first at once, then backing off; the last repeats
# until `max_attempts`.
RETRY_DELAYS = (0, 1, 2, 5, 10, 30, 60, 120, 300)
ORDER_NO = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
DISBURSEMENT_HEADER = ["批次号", "序号", "户名", "账号", "金额", "摘要"]
RESULT_HEADER = ["批次号", "序号", "账号", "金额", "结果", "失败原因", "银行流水号"]
STATEMENT_HEADER = ["交易日期", "银行流水号", "订单号", "金额", "状态"]


def luhn_valid(number: str) -> bool:
    """16–19 digits whose last is the Luhn check digit (bank card and account numbers)."""
    if not isinstance(number, str) or not re.fullmatch(r"\d{16,19}", number):
        return False
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def luhn_complete(prefix: str) -> str:
    """`prefix` (15–18 digits) with its Luhn check digit appended (for tests and fixtures)."""
    for digit in "0123456789":
        if luhn_valid(prefix + digit):
            return prefix + digit
    raise ValueError(prefix)


def load_accounts(path=None) -> dict:
    """{account_no: {"name": str | None, "status": "open" | "closed" | "missing"}} from the JSON fixture."""
    with open(path or DEFAULT_ACCOUNTS, encoding="utf-8") as fh:
        data = json.load(fh)
    return {row["account_no"]: {"name": row.get("name"), "status": row.get("status", "open")}
            for row in data["accounts"]}


def now_china() -> datetime:
    return datetime.now(CHINA).replace(microsecond=0)


def _csv_bytes(header, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
<style>body{{font-family:sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;color:#222}}
.bank{{color:#0a4b9c;font-weight:bold}}.amount{{font-size:2rem;color:#c00}}
button{{font-size:1.1rem;padding:.6rem 1.2rem;margin:.3rem}}.note{{color:#666;font-size:.9rem}}</style></head>
<body><p class="bank">中国建设银行 大庆分行（模拟）</p>{body}
<p class="note">这是开发和测试用的模拟银行，不会发生真实扣款。</p></body></html>"""


class _Handler(BaseHTTPRequestHandler):
    server_version = "SimulatedBank/1.0"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        if self.server.bank.verbose:
            logger.info("bank %s - " + fmt, self.client_address[0], *args)

    # ------------------------------------------------------------ helpers
    def _send(self, status, body: bytes, content_type="application/json; charset=utf-8", headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.close_connection = True

    def _json(self, status, data):
        self._send(status, json.dumps(data, ensure_ascii=False).encode("utf-8"))

    def _page(self, status, title, body):
        self._send(status, PAGE.format(title=html.escape(title), body=body).encode("utf-8"), "text/html; charset=utf-8")

    def _redirect(self, location):
        self._send(303, b"", "text/plain; charset=utf-8", {"Location": location})

    def _body(self):
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_REQUEST_BYTES:
            return None
        return self.rfile.read(length) if length else b""

    def _json_body(self):
        raw = self._body()
        try:
            data = json.loads(raw.decode("utf-8")) if raw else None
        except (UnicodeDecodeError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    # ------------------------------------------------------------ routes
    def do_GET(self):
        bank = self.server.bank
        path = unquote(urlsplit(self.path).path).rstrip("/") or "/"
        if path == "/healthz":
            return self._json(200, {"status": "ok"})
        if path.startswith("/api/orders/"):
            order = bank.order(path.removeprefix("/api/orders/"))
            if order is None:
                return self._json(404, {"order_no": path.removeprefix("/api/orders/"), "status": "UNKNOWN",
                                        "error": "订单不存在"})
            return self._json(200, bank.order_state(order))
        if path.startswith("/pay/"):
            return self._pay_page(path.removeprefix("/pay/"))
        match = re.fullmatch(r"/api/statements/(\d{4}-\d{2}-\d{2})\.(csv|xlsx)", path)
        if match:
            try:
                day = date.fromisoformat(match.group(1))
            except ValueError:
                return self._json(400, {"error": "日期格式不正确"})
            if match.group(2) == "xlsx":
                return self._send(200, bank.statement_xlsx(day),
                                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                  {"Content-Disposition": f'attachment; filename="statement-{day}.xlsx"'})
            return self._send(200, bank.statement_csv(day), "text/csv; charset=utf-8",
                              {"Content-Disposition": f'attachment; filename="statement-{day}.csv"'})
        if path == "/disbursements":
            return self._disbursement_page()
        match = re.fullmatch(r"/disbursements/([^/]+)\.csv", path)
        if match and match.group(1) in bank.batches:
            return self._send(200, bank.batches[match.group(1)], "text/csv; charset=utf-8",
                              {"Content-Disposition": f'attachment; filename="result-{match.group(1)}.csv"'})
        if path == "/":
            return self._page(200, "模拟银行", "<ul><li><a href=\"/disbursements/\">代发付款文件</a></li></ul>")
        return self._json(404, {"error": "not found"})

    do_HEAD = do_GET

    def do_POST(self):
        bank = self.server.bank
        path = unquote(urlsplit(self.path).path).rstrip("/")
        if path == "/api/orders":
            return self._create_order()
        if path.startswith("/pay/"):
            return self._pay(path.removeprefix("/pay/"))
        if path == "/api/accounts/verify":
            data = self._json_body()
            if data is None or not isinstance(data.get("name"), str) or not isinstance(data.get("account_no"), str):
                return self._json(400, {"error": "请求格式错误，须有 name 和 account_no"})
            ok, reason = bank.verify_account(data["name"], data["account_no"])
            return self._json(200, {"ok": ok, "reason": reason})
        if path in ("/api/disbursements", "/disbursements"):
            return self._disbursement(html_page=path == "/disbursements")
        if path == "/simulate/lose-notifications":
            data = self._json_body() or {}
            bank.lose_notifications(data.get("order_no"), all=bool(data.get("all")))
            return self._json(200, {"ok": True})
        if path == "/simulate/accounts":
            data = self._json_body() or {}
            try:
                bank.set_account(data["account_no"], name=data.get("name"), status=data.get("status", "open"))
            except (KeyError, ValueError) as exc:
                return self._json(400, {"error": f"账户数据无效：{exc}"})
            return self._json(200, {"ok": True})
        if path == "/simulate/statement-lines":
            data = self._json_body() or {}
            try:
                bank.add_statement_line(day=date.fromisoformat(data["day"]), bank_txn_id=data.get("bank_txn_id") or "",
                                        order_no=data.get("order_no") or "", amount=parse_money(data["amount"]),
                                        status=data.get("status") or "成功")
            except (KeyError, ValueError, TypeError) as exc:
                return self._json(400, {"error": f"对账单行无效：{exc}"})
            return self._json(201, {"ok": True})
        return self._json(404, {"error": "not found"})

    def _create_order(self):
        bank = self.server.bank
        data = self._json_body()
        if data is None:
            return self._json(400, {"error": "请求不是 JSON 对象"})
        try:
            order_no = data["order_no"]
            if not isinstance(order_no, str) or not ORDER_NO.match(order_no):
                raise ValueError("订单号须为 1–64 位字母、数字、下划线或连字符")
            amount = parse_money(data["amount"])
            if amount <= 0:
                raise ValueError("金额须大于零")
            for key in ("notify_url", "return_url"):
                if not str(data.get(key, "")).startswith(("http://", "https://")):
                    raise ValueError(f"{key} 须为 http(s) 地址")
            expires_at = parse_time(data["expires_at"])
            subject = str(data.get("subject") or "")[:100]
        except KeyError as exc:
            return self._json(400, {"error": f"缺少字段 {exc.args[0]}"})
        except (ValueError, TypeError) as exc:
            return self._json(400, {"error": str(exc) or "字段格式错误"})
        created, order = bank.create_order(order_no=order_no, amount=amount, subject=subject,
                                           notify_url=data["notify_url"], return_url=data["return_url"],
                                           expires_at=expires_at)
        if order is None:
            return self._json(409, {"error": "订单号已存在且金额不同"})
        return self._json(201 if created else 200, {"order_no": order_no, "pay_url": bank.pay_url(order_no)})

    def _pay_page(self, order_no):
        bank = self.server.bank
        order = bank.order(order_no)
        if order is None:
            return self._page(404, "订单不存在", "<h1>订单不存在</h1><p>请回到缴费页面重新发起支付。</p>")
        esc = html.escape
        head = (f"<h1>确认支付</h1><p>收款方：大庆市住房和城乡建设局</p><p>商品：{esc(order['subject'])}</p>"
                f"<p>订单号：{esc(order_no)}</p><p class=\"amount\">￥{esc(money_text(order['amount']))}</p>")
        back = f"<p><a href=\"{esc(order['return_url'])}\">返回商户页面</a></p>"
        if order["status"] != "PENDING":
            word = "支付成功" if order["status"] == "SUCCESS" else "支付失败"
            return self._page(200, word, f"{head}<p>该订单已处理：{word}。</p>{back}")
        if bank.expired(order):
            return self._page(200, "订单已过期", f"{head}<p>该订单已过期，请回到缴费页面重新发起支付。</p>{back}")
        form = (f"<form method=\"post\" action=\"/pay/{esc(order_no)}\">"
                "<button type=\"submit\" name=\"result\" value=\"success\">支付成功</button>"
                "<button type=\"submit\" name=\"result\" value=\"failure\">支付失败</button></form>")
        return self._page(200, "确认支付", head + form)

    def _pay(self, order_no):
        bank = self.server.bank
        raw = self._body() or b""
        result = (parse_qs(raw.decode("utf-8", "replace")).get("result") or [""])[0]
        order = bank.order(order_no)
        if order is None:
            return self._page(404, "订单不存在", "<h1>订单不存在</h1>")
        if result not in ("success", "failure"):
            return self._page(400, "请求无效", "<h1>请选择支付成功或支付失败</h1>")
        if order["status"] == "PENDING" and bank.expired(order):
            return self._page(400, "订单已过期", "<h1>订单已过期</h1><p>请回到缴费页面重新发起支付。</p>")
        bank.pay(order_no, success=result == "success")
        return self._redirect(order["return_url"])

    def _multipart_file(self):
        raw = self._body()
        ctype = self.headers.get("Content-Type", "")
        if raw is None or "multipart/form-data" not in ctype:
            return None, None, None
        message = BytesParser(policy=HTTP_POLICY).parsebytes(
            f"Content-Type: {ctype}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1") + raw)
        fields, upload = {}, None
        for part in message.iter_parts() if message.is_multipart() else ():
            name = part.get_param("name", header="content-disposition")
            if name == "file":
                upload = (part.get_filename() or "", part.get_payload(decode=True) or b"")
            elif name:
                fields[name] = (part.get_payload(decode=True) or b"").decode("utf-8", "replace").strip()
        if upload is None:
            return fields, None, None
        return fields, upload[0], upload[1]

    def _disbursement(self, *, html_page):
        bank = self.server.bank
        fields, filename, content = self._multipart_file()
        if content is None:
            message = "请上传付款文件（multipart 字段 file）"
            return (self._disbursement_page(message, 400) if html_page else self._json(400, {"error": message}))
        try:
            batch_no, result = bank.disburse(content, filename, expected_batch=(fields or {}).get("batch_no") or None)
        except DisbursementFileError as exc:
            return self._disbursement_page(str(exc), 400) if html_page else self._json(400, {"error": str(exc)})
        if html_page:
            return self._disbursement_page(f"批次 {batch_no} 已处理。", 200,
                                           link=f"/disbursements/{batch_no}.csv")
        return self._send(200, result, "text/csv; charset=utf-8",
                          {"Content-Disposition": f'attachment; filename="result-{batch_no}.csv"'})

    def _disbursement_page(self, message="", status=200, link=""):
        esc = html.escape
        note = f"<p><strong>{esc(message)}</strong></p>" if message else ""
        download = f"<p><a href=\"{esc(link)}\">下载结果文件</a></p>" if link else ""
        body = (f"<h1>代发付款文件</h1>{note}{download}"
                "<p>CSV（UTF-8）或 Excel（xlsx），表头：批次号,序号,户名,账号,金额,摘要</p>"
                "<form method=\"post\" action=\"/disbursements/\" enctype=\"multipart/form-data\">"
                "<p><input type=\"file\" name=\"file\" required></p><button type=\"submit\">上传并代发</button></form>")
        return self._page(status, "代发付款文件", body)


class SimulatedBank:
    def __init__(self, *, notify_secret, host="127.0.0.1", port=0, accounts=None, public_url=None,
                 retry_delays=RETRY_DELAYS, max_attempts=50, notify_timeout=10.0, verbose=False):
        if not notify_secret:
            raise ValueError("notify_secret is required (BANK_NOTIFY_SECRET)")
        self.notify_secret = notify_secret
        self.accounts = accounts if accounts is not None else load_accounts()
        self.retry_delays = tuple(retry_delays)
        self.max_attempts = max_attempts
        self.notify_timeout = notify_timeout
        self.verbose = verbose
        self.orders: dict[str, dict] = {}
        self.batches: dict[str, bytes] = {}
        self.statement_lines: list[dict] = []
        # Every notification attempt: {"order_no", "http_status", "response", "at"} (http_status None: no answer).
        self.deliveries: list[dict] = []
        self.lost: set[str] = set()
        self.lose_all = False
        self.stopping = threading.Event()
        self._lock = threading.RLock()
        self._txn_serial = 0
        self._txn_prefix = secrets.token_hex(3).upper()
        self.httpd = ThreadingHTTPServer((host, port), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.bank = self
        self._public_url = public_url.rstrip("/") if public_url else None
        self._thread = None
        self._notifiers: list[threading.Thread] = []

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def pay_url(self, order_no) -> str:
        return f"{self._public_url or self.url}/pay/{order_no}"

    # ------------------------------------------------------------ orders
    def create_order(self, *, order_no, amount, subject, notify_url, return_url, expires_at):
        """(created, order); order None when the number is taken with another amount."""
        with self._lock:
            existing = self.orders.get(order_no)
            if existing is not None:
                return False, (existing if existing["amount"] == amount else None)
            order = {"order_no": order_no, "amount": amount, "subject": subject, "notify_url": notify_url,
                     "return_url": return_url, "expires_at": expires_at, "status": "PENDING",
                     "bank_txn_id": "", "paid_at": None, "notified": False, "body": None, "signature": ""}
            self.orders[order_no] = order
            return True, order

    def order(self, order_no):
        with self._lock:
            return self.orders.get(order_no)

    def order_state(self, order) -> dict:
        return {"order_no": order["order_no"], "status": order["status"], "bank_txn_id": order["bank_txn_id"],
                "amount": money_text(order["amount"]),
                "paid_at": order["paid_at"].isoformat() if order["paid_at"] else None}

    def expired(self, order) -> bool:
        return order["expires_at"] <= datetime.now(CHINA)

    def _next_txn_id(self, when):
        with self._lock:
            self._txn_serial += 1
            return f"CCB{when:%Y%m%d}{self._txn_prefix}{self._txn_serial:08d}"

    def pay(self, order_no, *, success=True, notify=True):
        """What the pay page's buttons do: record the outcome once and start the notification."""
        with self._lock:
            order = self.orders[order_no]
            if order["status"] != "PENDING":
                return order
            when = now_china()
            order.update(status="SUCCESS" if success else "FAILED", paid_at=when, bank_txn_id=self._next_txn_id(when))
            body = {"order_no": order_no, "bank_txn_id": order["bank_txn_id"], "amount": money_text(order["amount"]),
                    "paid_at": when.isoformat(), "status": order["status"]}
            order["body"] = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            order["signature"] = signing.sign(self.notify_secret, order["body"])
        if notify:
            thread = threading.Thread(target=self._notify_until_acknowledged, args=(order_no,),
                                      name=f"bank-notify-{order_no}", daemon=True)
            self._notifiers.append(thread)
            thread.start()
        return order

    def notification(self, order_no) -> tuple[bytes, str]:
        """The raw body and the X-Bank-Signature the bank sends (sent or lost) for a paid/failed order."""
        order = self.orders[order_no]
        return order["body"], order["signature"]

    def lose_notifications(self, order_no=None, *, all=False):
        with self._lock:
            if all:
                self.lose_all = True
            if order_no:
                self.lost.add(order_no)

    def _deliver(self, order_no):
        """One attempt; True when the portal answered {"code": "SUCCESS"}."""
        order = self.orders[order_no]
        request = urllib.request.Request(order["notify_url"], data=order["body"], method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", "X-Bank-Signature": order["signature"],
            "User-Agent": "SimulatedBank/1.0"})
        status, reply = None, b""
        try:
            with urllib.request.urlopen(request, timeout=self.notify_timeout) as response:
                status, reply = response.status, response.read(65536)
        except urllib.error.HTTPError as exc:
            status, reply = exc.code, exc.read(65536)
        except (OSError, ValueError) as exc:
            reply = repr(exc).encode()
        try:
            acknowledged = json.loads(reply.decode("utf-8")).get("code") == "SUCCESS"
        except (ValueError, UnicodeDecodeError, AttributeError):
            acknowledged = False
        with self._lock:
            self.deliveries.append({"order_no": order_no, "http_status": status,
                                    "response": reply.decode("utf-8", "replace"), "at": time.monotonic()})
            if acknowledged:
                order["notified"] = True
        return acknowledged

    def resend(self, order_no) -> bool:
        """Send the order's notification once more, now (a replay); True if acknowledged."""
        return self._deliver(order_no)

    def _notify_until_acknowledged(self, order_no):
        for attempt in range(self.max_attempts):
            delay = self.retry_delays[min(attempt, len(self.retry_delays) - 1)] if self.retry_delays else 0
            if delay and self.stopping.wait(delay):
                return
            if self.stopping.is_set() or self.lose_all or order_no in self.lost:
                return
            if self._deliver(order_no):
                return

    def deliveries_for(self, order_no) -> list[dict]:
        with self._lock:
            return [d for d in self.deliveries if d["order_no"] == order_no]

    def wait_notified(self, order_no, timeout=10.0) -> bool:
        """Block until the portal acknowledged the order's notification (tests)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.orders[order_no]["notified"]:
                return True
            time.sleep(0.02)
        return False

    # ------------------------------------------------------------ accounts
    def set_account(self, account_no, *, name=None, status="open"):
        if status not in ("open", "closed", "missing"):
            raise ValueError("status 须为 open、closed 或 missing")
        if not luhn_valid(account_no):
            raise ValueError("账号格式不正确")
        with self._lock:
            self.accounts[account_no] = {"name": name, "status": status}

    def verify_account(self, name, account_no) -> tuple[bool, str]:
        name, account_no = (name or "").strip(), (account_no or "").strip()
        if not luhn_valid(account_no):
            return False, "账号格式不正确"
        if not name:
            return False, "户名不能为空"
        with self._lock:
            account = self.accounts.get(account_no)
            if account is None:  # an ordinary open account, held by whoever is asked about first
                account = self.accounts[account_no] = {"name": name, "status": "open"}
            elif account["name"] is None and account["status"] == "open":
                account["name"] = name
        if account["status"] == "missing":
            return False, "账号不存在"
        if account["status"] == "closed":
            return False, "账户已销户"
        if account["name"] != name:
            return False, "户名与账号不符"
        return True, ""

    # ------------------------------------------------------------ disbursements
    def disburse(self, content: bytes, filename: str, *, expected_batch=None) -> tuple[str, bytes]:
        """Pay a 代发 file; (批次号, result CSV). The same 批次号 again returns the first result."""
        rows = read_table(content, filename)
        if not rows:
            raise DisbursementFileError("文件为空")
        if rows[0] != DISBURSEMENT_HEADER:
            raise DisbursementFileError(f"表头须为：{','.join(DISBURSEMENT_HEADER)}")
        lines = rows[1:]
        if not lines:
            raise DisbursementFileError("付款文件没有明细行")
        batch_nos = {line[0] for line in lines if line}
        if len(batch_nos) != 1:
            raise DisbursementFileError("一个文件只能有一个批次号")
        batch_no = batch_nos.pop()
        if not batch_no or not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", batch_no):
            raise DisbursementFileError("批次号须为 1–64 位字母、数字、下划线或连字符")
        if expected_batch and expected_batch != batch_no:
            raise DisbursementFileError(f"文件中的批次号 {batch_no} 与提交的批次号 {expected_batch} 不一致")
        with self._lock:
            if batch_no in self.batches:
                return batch_no, self.batches[batch_no]
        parsed, seen = [], set()
        for index, line in enumerate(lines, start=2):
            if len(line) < 6:
                raise DisbursementFileError(f"第 {index} 行：列数不足 6 列")
            _, serial, name, account_no, amount_text, memo = line[:6]
            if not serial.isdigit() or int(serial) < 1:
                raise DisbursementFileError(f"第 {index} 行：序号须为正整数")
            if int(serial) in seen:
                raise DisbursementFileError(f"第 {index} 行：序号 {serial} 重复")
            seen.add(int(serial))
            try:
                amount = parse_money(amount_text)
            except ValueError:
                raise DisbursementFileError(f"第 {index} 行：金额“{amount_text}”格式不正确") from None
            if amount <= 0:
                raise DisbursementFileError(f"第 {index} 行：金额须大于零")
            parsed.append((int(serial), name, account_no, amount, memo))
        result_rows = []
        for serial, name, account_no, amount, _memo in parsed:
            ok, reason = self.verify_account(name, account_no)
            txn = self._next_txn_id(now_china()) if ok else ""
            result_rows.append([batch_no, serial, account_no, money_text(amount), "成功" if ok else "失败",
                                reason, txn])
        result = _csv_bytes(RESULT_HEADER, result_rows)
        with self._lock:
            return batch_no, self.batches.setdefault(batch_no, result)

    # ------------------------------------------------------------ statements
    def add_statement_line(self, *, day, bank_txn_id="", order_no="", amount, status="成功"):
        with self._lock:
            self.statement_lines.append({"day": day, "bank_txn_id": bank_txn_id or self._next_txn_id(now_china()),
                                         "order_no": order_no, "amount": Decimal(amount), "status": status})

    def statement_rows(self, day: date) -> list[list[str]]:
        with self._lock:
            rows = [[day.isoformat(), o["bank_txn_id"], o["order_no"], money_text(o["amount"]), "成功"]
                    for o in sorted(self.orders.values(), key=lambda o: (o["paid_at"] or now_china(), o["order_no"]))
                    if o["status"] == "SUCCESS" and o["paid_at"].astimezone(CHINA).date() == day]
            rows += [[day.isoformat(), line["bank_txn_id"], line["order_no"], money_text(line["amount"]), line["status"]]
                     for line in self.statement_lines if line["day"] == day]
        return rows

    def statement_csv(self, day: date) -> bytes:
        return _csv_bytes(STATEMENT_HEADER, self.statement_rows(day))

    def statement_xlsx(self, day: date) -> bytes:
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = "对账单"
        sheet.append(STATEMENT_HEADER)
        for row in self.statement_rows(day):
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    # ------------------------------------------------------------ life
    def start(self):
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="simulated-bank", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self):
        self.httpd.serve_forever()

    def stop(self):
        self.stopping.set()  # notifiers waiting to retry give up
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def in_minutes(minutes: int) -> datetime:
    """An aware time `minutes` from now (order expiries in tests and scripts)."""
    return datetime.now(CHINA) + timedelta(minutes=minutes)


def wait_until_up(url, timeout=5.0):
    """Block until `GET url/healthz` answers (for scripts that start run_bank in a subprocess)."""
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
