"""SQLite (the `make run` default): two requests deciding the same thing at once. With Django's default
deferred transactions both read, then the second's write fails at once with "database is locked" (a
500). The settings make every transaction take the write lock when it begins (IMMEDIATE) and wait up to
20 s for it, so the second simply runs after the first, sees the case already moved, and is told so."""

import time

import pytest
from django.conf import settings
from django.db import connections, transaction

from tests.helpers import at_once

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="SQLite only: PostgreSQL locks rows (select_for_update) and is tested by the postgres suite",
)

ALIAS = "sqlite_race"


@pytest.fixture
def file_database(tmp_path, django_db_blocker):
    """A real file (WAL journal, as in `make run`), reached through the project's SQLite settings."""
    options = settings.DATABASES["default"]["OPTIONS"]
    connections.settings[ALIAS] = {**connections.settings["default"], "NAME": str(tmp_path / "race.sqlite3"),
                                   "OPTIONS": dict(options), "TEST": {}}
    with django_db_blocker.unblock():
        with connections[ALIAS].cursor() as cursor:
            cursor.execute("CREATE TABLE decision (id INTEGER PRIMARY KEY, status TEXT NOT NULL)")
            cursor.execute("INSERT INTO decision (id, status) VALUES (1, 'pending')")
        connections[ALIAS].close()
        yield
        connections[ALIAS].close()
    del connections.settings[ALIAS]


def decide():
    """What a decision view does: read the status, think, write if nobody else has decided."""
    try:
        with transaction.atomic(using=ALIAS), connections[ALIAS].cursor() as cursor:
            cursor.execute("SELECT status FROM decision WHERE id = 1")
            (status,) = cursor.fetchone()
            time.sleep(0.3)  # the other request arrives meanwhile
            if status != "pending":
                return "已由他人办理"
            cursor.execute("UPDATE decision SET status = 'approved' WHERE id = 1")
            return "decided"
    finally:
        connections[ALIAS].close()


def test_the_sqlite_settings_begin_immediate_and_wait():
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE" and options["timeout"] >= 10
    assert "journal_mode=WAL" in options["init_command"]


def test_two_simultaneous_decisions_one_wins_and_the_other_is_told(file_database, django_db_blocker):
    with django_db_blocker.unblock():
        # "database is locked" (before the fix) comes back as the exception, shown by its repr
        outcomes = [o if isinstance(o, str) else repr(o) for o in at_once(decide, decide)]
        with connections[ALIAS].cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
    assert sorted(outcomes) == ["decided", "已由他人办理"]
