"""Enqueue a Celery task by its registered name, so that a service need not import the tasks module
(which imports the services back: an import cycle).

    enqueue_on_commit("applications.tasks.notify_status_change", change.pk)

Works with a real broker and with CELERY_TASK_ALWAYS_EAGER alike. The name must be a task's
explicit `name=`; the module defining it is imported by the Celery app's autodiscovery (each app's
`tasks.py`, which imports its rooms' task modules).
"""

from django.db import transaction

from gongzufang.celery import app


def task_named(task_name: str):
    """The registered task `task_name`; the apps' task modules are imported first if need be."""
    # The project's app, not celery.current_app: that one is per thread, and a thread (a request
    # served by a threaded server, a test's concurrent caller) would get Celery's default app.
    tasks = app.tasks
    if task_name not in tasks:
        app.loader.import_default_modules()  # autodiscovery: every installed app's tasks.py
    return tasks[task_name]


def enqueue(task_name: str, *args, **kwargs):
    """Send the task now (in a task or outside any transaction)."""
    return task_named(task_name).delay(*args, **kwargs)


def enqueue_on_commit(task_name: str, *args, **kwargs) -> None:
    """Send the task once the current transaction commits (at once when there is none)."""
    transaction.on_commit(lambda: enqueue(task_name, *args, **kwargs))
