"""The tasks of applications keep the names they had before the rooms, and services start them by name."""

import pytest

from gongzufang import jobs
from gongzufang.celery import app

# Stored by django-celery-beat (the schedule) and in queued messages: they must not change.
NAMES = [
    "applications.tasks.notify_status_change",
    "applications.tasks.close_finished_notices",
    "applications.tasks.remind_review_deadlines",
    "applications.tasks_crosscheck.cross_check_application",
    "applications.tasks_crosscheck.cross_check_sweep",
]


@pytest.mark.parametrize("name", NAMES)
def test_the_task_keeps_its_name(name):
    app.loader.import_default_modules()
    assert name in app.tasks


def test_every_task_of_applications_has_an_explicit_name():
    app.loader.import_default_modules()
    ours = {name: task for name, task in app.tasks.items() if task.__module__.startswith("applications.")}
    assert set(ours) == set(NAMES)


def test_enqueue_sends_the_task_of_that_name(monkeypatch):
    sent = []
    task = jobs.task_named("applications.tasks_crosscheck.cross_check_sweep")
    monkeypatch.setattr(task, "delay", lambda *args, **kwargs: sent.append((args, kwargs)))
    jobs.enqueue("applications.tasks_crosscheck.cross_check_sweep", 1, x=2)
    assert sent == [((1,), {"x": 2})]


@pytest.mark.django_db
def test_enqueue_on_commit_waits_for_the_commit(monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    task = jobs.task_named("applications.tasks.notify_status_change")
    monkeypatch.setattr(task, "delay", lambda *args: sent.append(args))
    with django_capture_on_commit_callbacks() as callbacks:
        jobs.enqueue_on_commit("applications.tasks.notify_status_change", 7)
    assert sent == [] and len(callbacks) == 1
    callbacks[0]()
    assert sent == [(7,)]
