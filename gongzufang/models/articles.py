"""Policy articles (政策资讯): categories, articles with a cover and inline images, PDF attachments.

Articles are city-wide: city staff write them, everyone reads the published ones. Files live in
the private MEDIA_ROOT and are served by views in gongzufang/views_articles.py, which serve a file
of a published article to anyone and a draft's files to staff only (MEDIA_URL is never mounted).
Writes go through gongzufang/services/articles.py (sanitised body, status changes with a record).
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from gongzufang.workflow import Lifecycle, StatusLog

from .audit import StatusChange


def _file_name(folder, extension):
    # Stored names are ours, never the uploader's (no paths, no guessable names).
    return f"articles/{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


def image_upload_to(instance, filename):
    extension = (filename.rsplit(".", 1)[-1] if "." in filename else "img").lower()[:5]
    return _file_name("images", extension)


def cover_upload_to(instance, filename):
    extension = (filename.rsplit(".", 1)[-1] if "." in filename else "img").lower()[:5]
    return _file_name("covers", extension)


def attachment_upload_to(instance, filename):
    return _file_name("attachments", "pdf")


class ArticleCategory(models.Model):
    """政策法规, 办事指南, 通知公告, 新闻动态 (seeded by migration 0004; names editable)."""

    code = models.SlugField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=20)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("资讯栏目")
        verbose_name_plural = _("资讯栏目")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name


class ArticleQuerySet(models.QuerySet):
    def public(self, *, now=None):
        """What an anonymous visitor may see: published, and the publish time has come."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=now or timezone.now())

    def for_user(self, principal):
        # Articles are city-wide public information: every staff member may read all of them,
        # drafts included (admin permissions decide who may write); others see published ones.
        if principal is not None and getattr(principal, "is_active", False) and getattr(principal, "is_staff", False):
            return self.all()
        return self.public()


class Article(Lifecycle, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        WITHDRAWN = "withdrawn", _("已撤回")

    category = models.ForeignKey(
        ArticleCategory, on_delete=models.PROTECT, related_name="articles", verbose_name=_("栏目"),
    )
    title = models.CharField(_("标题"), max_length=120)
    summary = models.CharField(_("摘要"), max_length=300, blank=True, help_text=_("列表中显示，纯文本。"))
    body = models.TextField(
        _("正文"), blank=True,
        help_text=_(
            "HTML 正文，保存时自动清理：只保留段落、标题、列表、表格、链接、加粗等常用格式，脚本和事件属性一律删除。"
            "插入图片：先在下方“正文图片”中上传，保存后复制该图片的“插入代码”粘贴到正文中。"
        ),
    )
    cover = models.ImageField(
        _("封面图"), upload_to=cover_upload_to, blank=True, width_field="cover_width", height_field="cover_height",
        help_text=_("JPEG、PNG 或 WebP，不超过 5 MB，边长不超过 6000 像素。"),
    )
    cover_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    cover_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    cover_content_type = models.CharField(max_length=40, blank=True, editable=False)
    source = models.CharField(_("来源/发文单位"), max_length=80, blank=True, default="大庆市住房和城乡建设局")
    status = FSMField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT, editable=False, db_index=True,
        protected=True,
    )
    published_at = models.DateTimeField(
        _("发布时间"), null=True, blank=True, db_index=True,
        help_text=_("留空则在发布时取当前时间；填写将来的时间则到时才公开。"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("创建人"),
    )

    objects = ArticleQuerySet.as_manager()
    status_log = StatusLog("gongzufang.ArticleStatusChange", "article")

    class Meta:
        verbose_name = _("政策资讯")
        verbose_name_plural = _("政策资讯")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["status", "category", "-published_at"], name="article_public_list")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("article_detail", args=[self.pk])

    @transition(field=status, source=[Status.DRAFT, Status.WITHDRAWN], target=Status.PUBLISHED,
                custom={"label": _("发布"), "verb": _("发布")})
    def publish(self):
        """发布: shown on the public pages from its publish time."""

    @transition(field=status, source=Status.PUBLISHED, target=Status.WITHDRAWN,
                custom={"label": _("撤回"), "verb": _("撤回"), "needs_opinion": True, "style": "danger"})
    def withdraw(self):
        """撤回: off the public pages (its files stop being served); may be published again."""

    @transition(field=status, source=Status.WITHDRAWN, target=Status.DRAFT,
                custom={"label": _("转为草稿"), "verb": _("转为草稿")})
    def back_to_draft(self):
        pass

    @property
    def is_public(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def cover_url(self):
        return reverse("article_cover", args=[self.pk]) if self.cover else ""


class ArticleImage(models.Model):
    """An image used inside an article's body, referenced as <img src="/articles/images/<id>/">."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="images", verbose_name=_("资讯"))
    image = models.ImageField(
        _("图片"), upload_to=image_upload_to, width_field="width", height_field="height",
        help_text=_("JPEG、PNG 或 WebP，不超过 5 MB，边长不超过 6000 像素。"),
    )
    caption = models.CharField(_("图片说明"), max_length=120, blank=True)
    width = models.PositiveIntegerField(_("宽"), null=True, editable=False)
    height = models.PositiveIntegerField(_("高"), null=True, editable=False)
    content_type = models.CharField(_("类型"), max_length=40, blank=True, editable=False)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0, editable=False)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("正文图片")
        verbose_name_plural = _("正文图片")
        ordering = ["article_id", "id"]

    def __str__(self):
        return self.caption or f"图片 {self.pk}"

    @property
    def url(self):
        return reverse("article_image", args=[self.pk])


class ArticleAttachment(models.Model):
    """A PDF attached to an article, downloaded through a view under its original name."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("资讯"),
    )
    file = models.FileField(_("PDF 文件"), upload_to=attachment_upload_to, help_text=_("仅限 PDF，不超过 20 MB。"))
    title = models.CharField(_("附件名称"), max_length=120, blank=True, help_text=_("留空则用原文件名。"))
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True, editable=False)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0, editable=False)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["article_id", "sort_order", "id"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        return self.title or self.original_name or f"附件 {self.pk}"

    @property
    def download_name(self):
        name = self.display_name
        return name if name.lower().endswith(".pdf") else f"{name}.pdf"

    @property
    def url(self):
        return reverse("article_attachment", args=[self.pk])


class ArticleStatusChange(StatusChange):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="status_changes")

    class Meta(StatusChange.Meta):
        verbose_name = _("资讯状态变更")
        verbose_name_plural = _("资讯状态变更")
