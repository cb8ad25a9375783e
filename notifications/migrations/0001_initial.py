"""Notifications' own tables. The SMS outbox keeps its rows: applications' table is renamed (the
model moves by state only); site messages get a new table, filled by 0002."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('applications', '0004_checkresult_fewer_indexes'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    'ALTER TABLE "applications_smsoutbox" RENAME TO "notifications_smsoutbox"',
                    reverse_sql='ALTER TABLE "notifications_smsoutbox" RENAME TO "applications_smsoutbox"',
                ),
            ],
            state_operations=[
                migrations.CreateModel(
                    name='SmsOutbox',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('phone', models.CharField(db_index=True, max_length=20, verbose_name='手机号')),
                        ('text', models.TextField(verbose_name='内容')),
                        ('purpose', models.CharField(blank=True, max_length=24, verbose_name='类别')),
                        ('backend', models.CharField(max_length=40, verbose_name='发送通道')),
                        ('ok', models.BooleanField(default=True, verbose_name='发送成功')),
                        ('provider_id', models.CharField(blank=True, max_length=80, verbose_name='通道消息编号')),
                        ('error', models.CharField(blank=True, max_length=200, verbose_name='错误')),
                        ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='时间')),
                    ],
                    options={
                        'verbose_name': '短信发送记录',
                        'verbose_name_plural': '短信发送记录',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
            ],
        ),
        migrations.AddField(
            model_name='smsoutbox',
            name='dedup_key',
            field=models.CharField(blank=True, max_length=160, null=True, verbose_name='去重键'),
        ),
        migrations.AddConstraint(
            model_name='smsoutbox',
            constraint=models.UniqueConstraint(condition=models.Q(('ok', True)), fields=('dedup_key',), name='smsoutbox_sent_once'),
        ),
        migrations.CreateModel(
            name='SiteMessage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('object_id', models.PositiveBigIntegerField(blank=True, null=True, verbose_name='事项编号')),
                ('title', models.CharField(max_length=100, verbose_name='标题')),
                ('body', models.TextField(verbose_name='内容')),
                ('kind', models.CharField(blank=True, max_length=40, verbose_name='类别')),
                ('day', models.DateField(blank=True, null=True, verbose_name='提醒日期')),
                ('dedup_key', models.CharField(blank=True, max_length=160, null=True, unique=True, verbose_name='去重键')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='时间')),
                ('read_at', models.DateTimeField(blank=True, null=True, verbose_name='已读时间')),
                ('content_type', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, to='contenttypes.contenttype', verbose_name='事项类型')),
                ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='site_messages', to=settings.AUTH_USER_MODEL, verbose_name='收件人')),
            ],
            options={
                'verbose_name': '站内消息',
                'verbose_name_plural': '站内消息',
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(fields=['recipient', 'read_at'], name='sitemessage_unread'), models.Index(fields=['content_type', 'object_id'], name='sitemessage_subject')],
            },
        ),
    ]
