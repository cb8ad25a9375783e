"""The Celery app. Broker and eager mode come from settings (REDIS_URL); see README."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzufang.settings")

app = Celery("gongzufang")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _install_schedule(sender, **kwargs):
    # The periodic schedule is defined once, in gongzufang/schedule.py; django-celery-beat's
    # DatabaseScheduler copies it into its tables where staff can pause an entry.
    from gongzufang.schedule import BEAT_SCHEDULE

    sender.conf.beat_schedule = BEAT_SCHEDULE
