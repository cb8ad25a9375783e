"""Indexes for the statistics (issue 17, ADR 0016), and nothing else: the dashboard's live month and its
monthly job read applications by submitted_at and decided_at ranges grouped by district, and the overdue
count reads open applications by step_due_on. On PostgreSQL built CONCURRENTLY (no write lock on a live
table) and covering the columns those queries group by; on SQLite (tests) plain indexes. The model state
is unchanged, so no field or Meta edit."""

from django.db import migrations

INDEXES = {
    "application_submitted_at_stats": ("submitted_at", "district_id"),
    "application_decided_at_stats": ("decided_at", "district_id, status, processing_workdays"),
    # The overdue count (open applications past their step's due date, as of today).
    "application_step_due_stats": ("step_due_on", "district_id, status"),
}


def create(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for name, (column, include) in INDEXES.items():
        if postgres:
            schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} "
                                  f"ON applications_application ({column}) INCLUDE ({include})")
        else:
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON applications_application ({column})")


def drop(apps, schema_editor):
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX {concurrently}IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("applications", "0006_member_confirmed")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
