"""Copy applications' site messages into notifications' table, keeping their ids (links to old
messages keep working) and times: the application becomes the subject (content type + id), the
status change becomes the dedup key, and the daily deadline reminders get their kind, day and key."""

import re

from django.core.management.color import no_style
from django.db import migrations

CHANGE_PREFIX = "applications.applicationstatuschange:"
REMINDER = re.compile(r"^审批时限提醒（(\d{4}-\d{2}-\d{2})）$")
REMINDER_KIND = "review.deadlines"


def _reset_sequence(schema_editor, model):
    for sql in schema_editor.connection.ops.sequence_reset_sql(no_style(), [model]):
        schema_editor.execute(sql)


def copy_forward(apps, schema_editor):
    Old = apps.get_model("applications", "SiteMessage")
    New = apps.get_model("notifications", "SiteMessage")
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not Old.objects.using(db).exists():
        return
    application_type, _created = ContentType.objects.using(db).get_or_create(app_label="applications",
                                                                             model="application")
    schema_editor.execute(
        f"INSERT INTO {New._meta.db_table} (id, recipient_id, content_type_id, object_id, title, body, kind,"
        " day, dedup_key, created_at, read_at)"
        " SELECT id, recipient_id, CASE WHEN application_id IS NULL THEN NULL ELSE %s END, application_id,"
        " title, body, '', NULL,"
        " CASE WHEN status_change_id IS NULL THEN NULL ELSE %s || status_change_id END, created_at, read_at"
        f" FROM {Old._meta.db_table}",
        [application_type.pk, CHANGE_PREFIX],
    )
    # The deadline reminders were told apart by their title; now by (recipient, kind, day).
    seen = set()
    reminders = New.objects.using(db).filter(title__startswith="审批时限提醒", content_type__isnull=True,
                                             dedup_key__isnull=True)
    for pk, recipient_id, title in reminders.order_by("pk").values_list("pk", "recipient_id", "title"):
        match = REMINDER.match(title)
        if not match:
            continue
        key = f"reminder:{REMINDER_KIND}:{recipient_id}:-:{match.group(1)}"
        if key in seen:
            continue
        seen.add(key)
        New.objects.using(db).filter(pk=pk).update(kind=REMINDER_KIND, day=match.group(1), dedup_key=key)
    _reset_sequence(schema_editor, New)


def copy_backward(apps, schema_editor):
    Old = apps.get_model("applications", "SiteMessage")
    New = apps.get_model("notifications", "SiteMessage")
    Application = apps.get_model("applications", "Application")
    Change = apps.get_model("applications", "ApplicationStatusChange")
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not New.objects.using(db).exists():
        return
    application_type = ContentType.objects.using(db).filter(app_label="applications", model="application").first()
    start = len(CHANGE_PREFIX) + 1
    schema_editor.execute(
        f"INSERT INTO {Old._meta.db_table} (id, recipient_id, application_id, status_change_id, title, body,"
        " created_at, read_at)"
        " SELECT id, recipient_id,"
        f" CASE WHEN content_type_id = %s AND object_id IN (SELECT id FROM {Application._meta.db_table})"
        " THEN object_id END,"
        f" (SELECT c.id FROM {Change._meta.db_table} c WHERE dedup_key LIKE %s"
        f" AND c.id = CAST(SUBSTR(dedup_key, {start}) AS BIGINT)),"
        f" title, body, created_at, read_at FROM {New._meta.db_table}",
        [application_type.pk if application_type else -1, CHANGE_PREFIX + "%"],
    )
    _reset_sequence(schema_editor, Old)


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0001_initial"),
        ("applications", "0004_checkresult_fewer_indexes"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(copy_forward, copy_backward, elidable=False),
    ]
