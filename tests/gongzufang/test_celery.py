"""Background tasks: in-process without Redis; a real worker over the real Redis with it."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from gongzufang.celery import app
from gongzufang.schedule import BEAT_SCHEDULE
from gongzufang.tasks import ping

ROOT = Path(__file__).resolve().parents[2]


def test_tasks_run_in_process_in_tests():
    assert ping.delay("你好").get(timeout=5) == "你好"


def test_the_schedule_is_defined_once_and_names_real_tasks():
    app.loader.import_default_modules()
    assert app.conf.beat_schedule == BEAT_SCHEDULE
    for name, entry in BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name
    assert settings.CELERY_BEAT_SCHEDULER == "django_celery_beat.schedulers:DatabaseScheduler"


@pytest.mark.redis
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="需要 REDIS_URL：真实 Redis 与真实 worker")
def test_a_real_worker_runs_a_task_over_redis():
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    queue = f"test-{uuid.uuid4().hex[:8]}"  # a queue of our own: no other worker takes the task
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "gongzufang", "worker", "--pool=solo", "-Q", queue,
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"{queue}@%h", "--loglevel=WARNING"],
        cwd=ROOT, env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    app.conf.task_always_eager = False
    try:
        result = ping.apply_async(args=["来自真实 worker"], queue=queue)
        assert result.get(timeout=60) == "来自真实 worker"
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
