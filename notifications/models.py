"""In-site messages (站内消息) and the record of every text message (短信) sent."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SiteMessage(models.Model):
    """An in-site message to one person, optionally about one object (an application, a feedback
    item…). `dedup_key` makes a send idempotent: one message per status change, one reminder of a
    kind per person, subject and day (the database refuses a second row with the same key)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="site_messages",
                                  verbose_name=_("收件人"))
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True,
                                     verbose_name=_("事项类型"))
    object_id = models.PositiveBigIntegerField(_("事项编号"), null=True, blank=True)
    subject = GenericForeignKey("content_type", "object_id")
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("内容"))
    kind = models.CharField(_("类别"), max_length=40, blank=True)
    day = models.DateField(_("提醒日期"), null=True, blank=True)
    dedup_key = models.CharField(_("去重键"), max_length=160, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="sitemessage_unread"),
            models.Index(fields=["content_type", "object_id"], name="sitemessage_subject"),
        ]

    def __str__(self):
        return self.title


class SmsOutbox(models.Model):
    """Every text message the portal sends, whatever the backend, failures included. With the
    development backend the full text is kept (tests and the demo read codes here); production
    backends keep verification codes out of it (`text` shows them hidden). `dedup_key` names what a
    message is for (a status change): once one with that key went out, it is not sent again."""

    phone = models.CharField(_("手机号"), max_length=20, db_index=True)
    text = models.TextField(_("内容"))
    purpose = models.CharField(_("类别"), max_length=24, blank=True)
    backend = models.CharField(_("发送通道"), max_length=40)
    ok = models.BooleanField(_("发送成功"), default=True)
    provider_id = models.CharField(_("通道消息编号"), max_length=80, blank=True)
    error = models.CharField(_("错误"), max_length=200, blank=True)
    dedup_key = models.CharField(_("去重键"), max_length=160, null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("短信发送记录")
        verbose_name_plural = _("短信发送记录")
        ordering = ["-created_at", "-id"]
        constraints = [
            # Failed attempts may repeat; only one may have gone out.
            models.UniqueConstraint(fields=["dedup_key"], condition=Q(ok=True), name="smsoutbox_sent_once"),
        ]

    def __str__(self):
        return f"{self.phone} {self.created_at:%Y-%m-%d %H:%M}"
