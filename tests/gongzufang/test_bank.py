"""The bank adapter against the simulated bank over real HTTP (gongzufang/bank, docs/bank.md)."""

import csv
import io
import json
import threading
import urllib.error
import urllib.request
from datetime import date, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from gongzufang.bank import client, signing
from gongzufang.bank.simulated import CHINA, SimulatedBank, in_minutes, luhn_complete, luhn_valid, now_china
from tests.conftest import BANK_TEST_SECRET

# ---------------------------------------------------------------- a tiny portal that receives notifications


class Receiver:
    """Answers the bank's notifications: FAIL for the first `fail_first`, then SUCCESS; keeps what came."""

    def __init__(self, fail_first=0):
        self.fail_first = fail_first
        self.received = []  # (raw body, signature)
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.received.append((raw, self.headers.get("X-Bank-Signature")))
                    fail = len(receiver.received) <= receiver.fail_first
                body = json.dumps({"code": "FAIL", "message": "稍后再试"} if fail else {"code": "SUCCESS"}).encode()
                self.send_response(400 if fail else 200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/payments/notify/"

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.stop()


def _order(bank_client, receiver, order_no="PO202612010001", amount=Decimal("1234.50"), minutes=30):
    return bank_client.create_order(order_no=order_no, amount=amount, subject="2026年12月租金",
                                    notify_url=receiver.url, return_url="http://portal.test/payments/back/",
                                    expires_at=in_minutes(minutes))


def _press(pay_url, result):
    """Press a button of the pay page (a real form POST); returns (status, Location)."""
    data = f"result={result}".encode()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(pay_url, data=data, method="POST"), timeout=5) as response:
            return response.status, response.headers.get("Location")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Location")


def _wait(predicate, timeout=5.0):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


# ---------------------------------------------------------------- signing


def test_signature_is_hex_hmac_sha256_of_the_raw_body_and_verify_is_exact():
    import hashlib
    import hmac

    body = b'{"order_no":"PO1","amount":"1.00"}'
    expected = hmac.new(b"k", body, hashlib.sha256).hexdigest()
    assert signing.sign("k", body) == expected
    assert signing.verify("k", body, expected)
    assert signing.verify("k", body, expected.upper())  # hex case does not matter
    assert not signing.verify("k", body + b" ", expected)
    assert not signing.verify("other", body, expected)
    assert not signing.verify("k", body, "")
    assert not signing.verify("k", body, None)
    assert not signing.verify("", body, expected)


# ---------------------------------------------------------------- payment orders


def test_paying_sends_a_signed_notification_and_redirects_to_the_return_url(simulated_bank, receiver):
    bank = client.get_bank()
    pay_url = _order(bank, receiver)
    assert pay_url == f"{simulated_bank.url}/pay/PO202612010001"
    with urllib.request.urlopen(pay_url, timeout=5) as response:
        page = response.read().decode()
    assert "1234.50" in page and "支付成功" in page and "支付失败" in page

    status, location = _press(pay_url, "success")
    assert status == 303 and location == "http://portal.test/payments/back/"
    assert _wait(lambda: receiver.received)
    raw, signature = receiver.received[0]
    assert signing.verify(BANK_TEST_SECRET, raw, signature)
    body = json.loads(raw)
    assert set(body) == {"order_no", "bank_txn_id", "amount", "paid_at", "status"}
    assert body["order_no"] == "PO202612010001" and body["amount"] == "1234.50" and body["status"] == "SUCCESS"
    assert body["paid_at"].endswith("+08:00") and body["bank_txn_id"].startswith("CCB")
    assert simulated_bank.wait_notified("PO202612010001")

    state = bank.query_order("PO202612010001")
    assert state.status == "SUCCESS" and state.amount == Decimal("1234.50")
    assert state.bank_txn_id == body["bank_txn_id"]
    assert state.paid_at.utcoffset() == timedelta(hours=8)

    # Pressing again changes nothing: one outcome per order.
    _press(pay_url, "failure")
    assert bank.query_order("PO202612010001").status == "SUCCESS"


def test_a_failed_payment_is_notified_as_failed(simulated_bank, receiver):
    bank = client.get_bank()
    _press(_order(bank, receiver), "failure")
    assert _wait(lambda: receiver.received)
    body = json.loads(receiver.received[0][0])
    assert body["status"] == "FAILED"
    assert bank.query_order("PO202612010001").status == "FAILED"


def test_the_bank_retries_until_the_portal_answers_success(simulated_bank):
    receiver = Receiver(fail_first=2)
    try:
        bank = client.get_bank()
        _press(_order(bank, receiver), "success")
        assert simulated_bank.wait_notified("PO202612010001")
        assert len(receiver.received) == 3
        assert len({raw for raw, _ in receiver.received}) == 1  # the same bytes each time
        statuses = [d["http_status"] for d in simulated_bank.deliveries_for("PO202612010001")]
        assert statuses == [400, 400, 200]
    finally:
        receiver.stop()


def test_a_lost_notification_is_never_sent_but_the_order_can_be_queried(simulated_bank, receiver):
    bank = client.get_bank()
    pay_url = _order(bank, receiver)
    assert bank.query_order("PO202612010001").status == "PENDING"
    simulated_bank.lose_notifications("PO202612010001")
    _press(pay_url, "success")
    assert not _wait(lambda: receiver.received, timeout=0.5)
    assert bank.query_order("PO202612010001").status == "SUCCESS"
    raw, signature = simulated_bank.notification("PO202612010001")
    assert signing.verify(BANK_TEST_SECRET, raw, signature)


def test_an_order_the_bank_does_not_know_is_unknown(simulated_bank):
    assert client.get_bank().query_order("PO-NOPE").status == "UNKNOWN"


def test_registering_an_order_again_is_idempotent_but_not_with_another_amount(simulated_bank, receiver):
    bank = client.get_bank()
    first = _order(bank, receiver)
    assert _order(bank, receiver) == first
    with pytest.raises(client.BankError) as exc:
        _order(bank, receiver, amount=Decimal("1.00"))
    assert "金额不同" in str(exc.value)


def test_an_expired_order_cannot_be_paid(simulated_bank, receiver):
    bank = client.get_bank()
    pay_url = _order(bank, receiver, minutes=-1)
    with urllib.request.urlopen(pay_url, timeout=5) as response:
        assert "订单已过期" in response.read().decode()
    status, _ = _press(pay_url, "success")
    assert status == 400
    assert bank.query_order("PO202612010001").status == "PENDING"


def test_an_unreachable_bank_is_a_chinese_bank_error(settings):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    bank = client.get_bank(f"http://127.0.0.1:{port}", timeout=1)
    with pytest.raises(client.BankError) as exc:
        bank.query_order("PO1")
    assert "无法连接银行接口" in str(exc.value)


# ---------------------------------------------------------------- accounts


def test_account_checks(simulated_bank):
    bank = client.get_bank()
    assert bank.verify_account(name="王丽", account_no="621700123456789003") == client.AccountCheck(True, "")
    assert bank.verify_account(name="李明", account_no="621700123456789003").reason == "户名与账号不符"
    assert bank.verify_account(name="周德", account_no="621700987654321003").reason == "账户已销户"
    assert bank.verify_account(name="某人", account_no="622700000000000012").reason == "账号不存在"
    assert bank.verify_account(name="王丽", account_no="621700123456789004").reason == "账号格式不正确"
    assert bank.verify_account(name="王丽", account_no="12345").reason == "账号格式不正确"
    # Any other valid number: held by whoever is asked about first, remembered.
    fresh = luhn_complete("621700777700000")
    assert luhn_valid(fresh)
    assert bank.verify_account(name="赵强", account_no=fresh).ok
    assert bank.verify_account(name="赵强", account_no=fresh).ok
    assert bank.verify_account(name="孙婷", account_no=fresh).reason == "户名与账号不符"


# ---------------------------------------------------------------- disbursements


def _payment_file(batch_no, rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["批次号", "序号", "户名", "账号", "金额", "摘要"])
    for row in rows:
        writer.writerow([batch_no, *row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # with a BOM, as Excel writes it


def _result(raw):
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))


def test_a_disbursement_file_gets_a_result_line_per_payment(simulated_bank):
    bank = client.get_bank()
    content = _payment_file("SB202612", [
        (1, "王丽", "621700123456789003", "350.00", "2026年12月租赁补贴"),
        (2, "周德", "621700987654321003", "120.50", "2026年12月租赁补贴"),
        (3, "孙婷", "621700123456789029", "80.00", "2026年12月租赁补贴"),
        (4, "某人", "622700000000000012", "10.00", "2026年12月租赁补贴"),
    ])
    raw = bank.submit_disbursement("SB202612", io.BytesIO(content), "SB202612.csv")
    assert raw.decode("utf-8").splitlines()[0] == "批次号,序号,账号,金额,结果,失败原因,银行流水号"
    rows = _result(raw)
    assert [(r["序号"], r["结果"], r["失败原因"]) for r in rows] == [
        ("1", "成功", ""), ("2", "失败", "账户已销户"), ("3", "失败", "户名与账号不符"), ("4", "失败", "账号不存在")]
    assert rows[0]["银行流水号"].startswith("CCB") and rows[1]["银行流水号"] == ""
    assert rows[0]["金额"] == "350.00"

    # The same 批次号 again: the same result, nothing paid twice — even if the file differs.
    again = bank.submit_disbursement("SB202612", io.BytesIO(content), "SB202612.csv")
    assert again == raw
    simulated_bank.set_account("621700987654321003", name="周德", status="open")
    assert bank.submit_disbursement("SB202612", io.BytesIO(content), "again.csv") == raw
    # A new batch retries the failed line, which now succeeds.
    retry = _payment_file("SB202612R1", [(1, "周德", "621700987654321003", "120.50", "补发")])
    assert _result(bank.submit_disbursement("SB202612R1", io.BytesIO(retry), "r.csv"))[0]["结果"] == "成功"


def test_a_disbursement_file_may_be_excel(simulated_bank):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["批次号", "序号", "户名", "账号", "金额", "摘要"])
    sheet.append(["SBX1", 1, "王丽", "621700123456789003", "99.90", "补贴"])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    rows = _result(client.get_bank().submit_disbursement("SBX1", out, "SBX1.xlsx"))
    assert rows == [{"批次号": "SBX1", "序号": "1", "账号": "621700123456789003", "金额": "99.90",
                     "结果": "成功", "失败原因": "", "银行流水号": rows[0]["银行流水号"]}]


@pytest.mark.parametrize(("content", "message"), [
    ("批次号,序号,户名,账号\nB1,1,王丽,621700123456789003\n", "表头须为"),
    ("批次号,序号,户名,账号,金额,摘要\nB1,1,王丽,621700123456789003,12.345,x\n", "金额“12.345”格式不正确"),
    ("批次号,序号,户名,账号,金额,摘要\nB1,1,王丽,621700123456789003,1.00,x\nB1,1,李明,621700123456789029,1.00,x\n", "序号 1 重复"),
    ("批次号,序号,户名,账号,金额,摘要\nB1,1,王丽,621700123456789003,1.00,x\nB2,2,李明,621700123456789029,1.00,x\n", "只能有一个批次号"),
    ("批次号,序号,户名,账号,金额,摘要\n", "没有明细行"),
])
def test_a_malformed_disbursement_file_is_refused_in_chinese_and_pays_nothing(simulated_bank, content, message):
    with pytest.raises(client.BankError) as exc:
        client.get_bank().submit_disbursement("B1", io.BytesIO(content.encode()), "b.csv")
    assert message in str(exc.value)
    assert simulated_bank.batches == {}


# ---------------------------------------------------------------- statements


def test_the_daily_statement_lists_orders_paid_that_day_and_added_lines(simulated_bank, receiver):
    bank = client.get_bank()
    _press(_order(bank, receiver, "PO1", Decimal("100.00")), "success")
    _press(_order(bank, receiver, "PO2", Decimal("200.00")), "failure")
    _order(bank, receiver, "PO3", Decimal("300.00"))  # never paid
    today = now_china().date()
    simulated_bank.add_statement_line(day=today, bank_txn_id="CCBCOUNTER1", order_no="", amount=Decimal("55.00"))
    raw = bank.statement(today)
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    assert list(rows[0]) == ["交易日期", "银行流水号", "订单号", "金额", "状态"]
    assert [(r["订单号"], r["金额"], r["状态"]) for r in rows] == [("PO1", "100.00", "成功"), ("", "55.00", "成功")]
    assert rows[0]["银行流水号"] == bank.query_order("PO1").bank_txn_id
    assert rows[0]["交易日期"] == today.isoformat()
    assert list(csv.DictReader(io.StringIO(bank.statement(today - timedelta(days=1)).decode()))) == []


def test_statement_lines_can_be_added_over_http_and_read_as_excel(simulated_bank):
    from openpyxl import load_workbook

    body = json.dumps({"day": "2026-12-01", "order_no": "PO9", "amount": "10.00", "bank_txn_id": "CCBX"}).encode()
    request = urllib.request.Request(f"{simulated_bank.url}/simulate/statement-lines", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 201
    with urllib.request.urlopen(f"{simulated_bank.url}/api/statements/2026-12-01.xlsx", timeout=5) as response:
        sheet = load_workbook(io.BytesIO(response.read())).active
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        ["交易日期", "银行流水号", "订单号", "金额", "状态"], ["2026-12-01", "CCBX", "PO9", "10.00", "成功"]]
    assert date(2026, 12, 1).isoformat() in client.get_bank().statement(date(2026, 12, 1)).decode()


def test_run_bank_serves_the_simulated_bank(tmp_path):
    import socket
    import subprocess
    import sys

    from gongzufang.bank.simulated import wait_until_up

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**__import__("os").environ, "BANK_NOTIFY_SECRET": "cmd-secret"}
    process = subprocess.Popen([sys.executable, "manage.py", "run_bank", "--port", str(port)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        try:
            wait_until_up(f"http://127.0.0.1:{port}", timeout=20)
        except OSError:
            process.terminate()
            pytest.fail(process.communicate(timeout=10)[1].decode())
        check = client.get_bank(f"http://127.0.0.1:{port}").verify_account(name="王丽", account_no="621700123456789003")
        assert check.ok
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_simulated_bank_needs_a_secret():
    with pytest.raises(ValueError):
        SimulatedBank(notify_secret="")
    assert CHINA.key == "Asia/Shanghai"
