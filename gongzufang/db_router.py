"""Reports read from a replica (DESIGN §15: `DATABASE_REPLICA_URL`, optional).

When the variable is set, settings add a database alias "replica" and this router. Reads made inside
`reading_reports()` (the statistics summary and trend, the dashboard's Excel exports, the public figures)
go to the replica, so a heavy report never competes with the counters and forms on the primary. Every
other read, and every write whatever the context, goes to "default". Migrations run on "default" only
(the replica follows it by streaming replication). Without the variable there is no alias and no router:
`reading_reports()` changes nothing.

A replica lags the primary by a moment; reports tolerate that (they are "截至" a time), forms and
transitions never read through it.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
_reports = ContextVar("gongzufang_reading_reports", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def reading_reports():
    """Reads in this block are report reads (the replica's, when there is one)."""
    token = _reports.set(True)
    try:
        yield
    finally:
        _reports.reset(token)


def report_database() -> str:
    """The alias report reads use now."""
    return REPLICA if _reports.get() and replica_configured() else "default"


class ReportRouter:
    def db_for_read(self, model, **hints):
        return REPLICA if _reports.get() and replica_configured() else None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA
