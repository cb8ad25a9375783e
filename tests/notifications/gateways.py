"""SMS backends for the tests: one that is down, one that fails a set number of times first."""

from notifications.sms import SmsBackend, SmsSendError


class DownGateway(SmsBackend):
    name = "down"

    def send(self, phone, text):
        raise SmsSendError("短信网关不可用（测试）")


class FlakyGateway(SmsBackend):
    """Fails `failures_left` times, then delivers; `attempts` counts every call."""

    name = "flaky"
    keeps_sensitive_text = True
    failures_left = 0
    attempts = 0

    def send(self, phone, text):
        FlakyGateway.attempts += 1
        if FlakyGateway.failures_left > 0:
            FlakyGateway.failures_left -= 1
            raise SmsSendError("短信网关不可用（测试）")
        return f"gw-{FlakyGateway.attempts}"
