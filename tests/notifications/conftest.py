import pytest

from tests.notifications.gateways import FlakyGateway


@pytest.fixture
def flaky_gateway(settings):
    """The flaky test gateway as the SMS backend; set `failures_left` to make it fail first."""
    settings.SMS_BACKEND = "tests.notifications.gateways.FlakyGateway"
    FlakyGateway.failures_left, FlakyGateway.attempts = 0, 0
    yield FlakyGateway
    FlakyGateway.failures_left, FlakyGateway.attempts = 0, 0


@pytest.fixture
def retries_run_inline():
    """Eager tasks run their retries at once (without this, an eager task re-raises Celery's Retry)."""
    from gongzufang.celery import app

    before = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = before
