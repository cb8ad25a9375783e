"""Site messages and the SMS outbox moved to the notifications app. Its 0001 renamed the outbox's
table (so the model leaves this app by state only) and its 0002 copied the site messages, so the old
table can go."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('applications', '0004_checkresult_fewer_indexes'),
        ('notifications', '0002_site_messages_copied'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='SmsOutbox')],
            database_operations=[],
        ),
        migrations.DeleteModel(
            name='SiteMessage',
        ),
    ]
