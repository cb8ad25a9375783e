"""Admin for policy articles, the guide to the forms of assistance, and visit figures.

Uploads are checked by content before anything is stored (gongzufang/article_files.py); the body
is sanitised when saved, keeping only the article's own images; publishing and withdrawing go
through the services, which record each status change.

The body is edited as rich text (ArticleBodyEditor: Tiptap from django-prose-editor's bundle, started
by static/articles/article_editor.js, no inline script, so it runs under the CSP); images uploaded in
the editor become the article's own ArticleImage through `upload_image_view`.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Count
from django.http import Http404, JsonResponse
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from js_asset import Script

from gongzufang.admin.readonly import ReadOnlyAdminMixin
from gongzufang.article_files import clean_image_upload, clean_pdf_upload
from gongzufang.article_html import sanitize_article_html
from gongzufang.errors import PortalError
from gongzufang.models import (
    Article,
    ArticleAttachment,
    ArticleCategory,
    ArticleImage,
    ArticleStatusChange,
    AssistanceCategory,
    AssistanceCondition,
    AssistanceForm,
    AssistanceMaterial,
    AssistanceStep,
    DailyVisit,
)
from gongzufang.parameters import CATEGORIES
from gongzufang.services.articles import article_image_add, article_publish, article_set_body, article_unpublish

PROSE_EDITOR_CSS = ["django_prose_editor/material-icons.css", "django_prose_editor/editor.css",
                    "django_prose_editor/overrides.css", "articles/article_editor.css"]


def _new_upload(value):
    return isinstance(value, UploadedFile)


class ArticleImageForm(forms.ModelForm):
    class Meta:
        model = ArticleImage
        fields = ["image", "caption"]
        # A plain file field: the content checks with their clear messages are ours (clean_image).
        field_classes = {"image": forms.FileField}

    def clean_image(self):
        value = self.cleaned_data.get("image")
        if not _new_upload(value):
            return value
        cleaned, info = clean_image_upload(value)  # raises ValidationError with the reason
        self.instance.content_type = info.content_type
        self.instance.size = cleaned.size
        return cleaned


class ArticleAttachmentForm(forms.ModelForm):
    class Meta:
        model = ArticleAttachment
        fields = ["file", "title", "sort_order"]

    def clean_file(self):
        value = self.cleaned_data.get("file")
        if not _new_upload(value):
            return value
        cleaned = clean_pdf_upload(value)  # the rewritten copy is what is stored
        self.instance.size = cleaned.size
        self.instance.original_name = value.name.rsplit("/", 1)[-1][:200]
        return cleaned


class ArticleBodyEditor(forms.Textarea):
    """A textarea that static/articles/article_editor.js turns into the rich-text editor. Without
    JavaScript it stays a textarea of HTML, sanitised on save all the same."""

    def __init__(self, attrs=None, *, upload_url=""):
        super().__init__(attrs={"rows": 24, "cols": 100, **(attrs or {})})
        self.upload_url = upload_url

    @property
    def media(self):
        return forms.Media(css={"all": PROSE_EDITOR_CSS}, js=[Script("articles/article_editor.js", type="module")])

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].update({
            "data-article-editor": "1",
            "data-editor-module": static("django_prose_editor/editor.js"),
            "data-upload-url": self.upload_url,
        })
        return context


class ArticleAdminForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = ["category", "title", "summary", "source", "cover", "body", "published_at"]
        field_classes = {"cover": forms.FileField}
        widgets = {"body": ArticleBodyEditor()}
        help_texts = {"body": _("用上方工具栏排版；图片用下方“上传并插入图片”放进正文（新资讯先保存一次）。"
                                "保存时自动清理：只保留段落、标题、列表、表格、链接、图片等，脚本和事件属性一律删除。")}

    def clean_cover(self):
        value = self.cleaned_data.get("cover")
        if not _new_upload(value):
            return value
        cleaned, info = clean_image_upload(value)
        self.instance.cover_content_type = info.content_type
        return cleaned

    def clean_body(self):
        # Cleaned here for the preview of what is kept; cleaned again in save_related once the
        # article's images are saved (then only its own images may stay).
        return sanitize_article_html(self.cleaned_data.get("body", ""))


class ArticleImageInline(admin.TabularInline):
    model = ArticleImage
    form = ArticleImageForm
    extra = 1
    fields = ["image", "caption", "preview", "insert_code", "size_display"]
    readonly_fields = ["preview", "insert_code", "size_display"]

    @admin.display(description=_("预览"))
    def preview(self, obj):
        if not obj.pk:
            return "—"
        # Classes, not style attributes: the CSP refuses inline styles (static/articles/article_editor.css).
        return format_html('<img class="article-image-preview" src="{}" alt="">', obj.url)

    @admin.display(description=_("插入代码（复制到正文）"))
    def insert_code(self, obj):
        if not obj.pk:
            return _("保存后显示")
        return format_html(
            '<code class="article-image-code">&lt;img src="{}" alt="{}"&gt;</code>', obj.url, obj.caption,
        )

    @admin.display(description=_("尺寸"))
    def size_display(self, obj):
        if not obj.pk:
            return "—"
        return f"{obj.width}×{obj.height}，{obj.size // 1024} KB"


class ArticleAttachmentInline(admin.TabularInline):
    model = ArticleAttachment
    form = ArticleAttachmentForm
    extra = 0
    fields = ["file", "title", "sort_order", "original_name", "size"]
    readonly_fields = ["original_name", "size"]


class ArticleStatusChangeInline(admin.TabularInline):
    model = ArticleStatusChange
    extra = 0
    can_delete = False
    fields = ["created_at", "from_status", "to_status", "actor", "actor_level", "opinion"]
    readonly_fields = fields
    verbose_name_plural = _("状态记录")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    inlines = [ArticleImageInline, ArticleAttachmentInline, ArticleStatusChangeInline]
    list_display = ["title", "category", "status", "published_at", "image_count", "updated_at", "public_link"]
    list_filter = ["status", "category", "published_at"]
    search_fields = ["title", "summary", "body", "source"]
    date_hierarchy = "published_at"
    list_select_related = ["category"]
    readonly_fields = ["status", "created_by", "created_at", "updated_at", "public_link"]
    fieldsets = [
        (None, {"fields": ["category", "title", "summary", "source", "cover", "body"]}),
        (_("发布"), {"fields": ["status", "published_at", "public_link", "created_by", "created_at", "updated_at"]}),
    ]
    actions = ["publish_selected", "unpublish_selected"]
    change_form_template = "admin/gongzufang/article/change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user).annotate(n_images=Count("images"))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "body" in form.base_fields and obj is not None and self.has_change_permission(request, obj):
            form.base_fields["body"].widget = ArticleBodyEditor(
                upload_url=reverse("admin:gongzufang_article_upload_image", args=[obj.pk]))
        return form

    def get_urls(self):
        upload = path("<path:object_id>/images/upload/", self.admin_site.admin_view(self.upload_image_view),
                      name="gongzufang_article_upload_image")
        return [upload, *super().get_urls()]

    def upload_image_view(self, request, object_id):
        """An image uploaded in the editor: stored as the article's own ArticleImage (checked by content),
        answered with its URL for the editor to insert. Someone who may not change the article gets 403;
        an article outside their scope, 404."""
        return require_POST(self._upload_image)(request, object_id)

    def _upload_image(self, request, object_id):
        article = self.get_object(request, object_id)
        if article is None:
            raise Http404
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        upload = request.FILES.get("image")
        if upload is None:
            return JsonResponse({"error": str(_("请选择要上传的图片。"))}, status=400)
        try:
            image = article_image_add(article=article, file=upload, caption=request.POST.get("caption", "")[:120])
        except ValidationError as exc:
            return JsonResponse({"error": " ".join(exc.messages)}, status=400)
        return JsonResponse({"id": image.pk, "url": image.url, "caption": image.caption,
                             "width": image.width, "height": image.height}, status=201)

    @admin.display(description=_("正文图片"), ordering="n_images")
    def image_count(self, obj):
        return obj.n_images

    @admin.display(description=_("页面"))
    def public_link(self, obj):
        if not obj.pk:
            return "—"
        label = _("查看") if obj.is_public else _("预览")
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', obj.get_absolute_url(), label)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The raw text as submitted, so the editor hears about anything removed from it.
        if article_set_body(article=form.instance, body=form.data.get("body", "")):
            self.message_user(
                request, _("正文中的脚本、事件属性、外部图片或不属于本文的图片等内容已被自动移除，请核对正文。"),
                messages.WARNING,
            )

    def response_add(self, request, obj, post_url_continue=None):
        self._publish_if_asked(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        self._publish_if_asked(request, obj)
        return super().response_change(request, obj)

    def _publish_if_asked(self, request, obj):
        # "保存并发布": the article is saved first, then published through the service.
        if "_publish" in request.POST and obj.status != Article.Status.PUBLISHED:
            self._transition(request, [obj], lambda a: article_publish(article=a, actor=request.user), _("已发布"))

    @admin.action(description=_("发布所选资讯"), permissions=["change"])
    def publish_selected(self, request, queryset):
        self._transition(request, queryset, lambda a: article_publish(article=a, actor=request.user), _("已发布"))

    @admin.action(description=_("撤回所选资讯"), permissions=["change"])
    def unpublish_selected(self, request, queryset):
        self._transition(
            request, queryset,
            lambda a: article_unpublish(article=a, actor=request.user, opinion=_("经管理后台撤回")), _("已撤回"),
        )

    def _transition(self, request, queryset, step, done):
        ok = 0
        for article in queryset:
            try:
                step(article)
                ok += 1
            except PortalError as exc:
                self.message_user(request, f"《{article.title}》：{exc.message}", messages.ERROR)
        if ok:
            self.message_user(request, _("%(n)s 篇%(done)s。") % {"n": ok, "done": done}, messages.SUCCESS)


@admin.register(ArticleCategory)
class ArticleCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "sort_order", "article_count", "public_link"]
    list_editable = ["sort_order"]
    search_fields = ["name", "code"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_articles=Count("articles"))

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []

    @admin.display(description=_("资讯数"), ordering="n_articles")
    def article_count(self, obj):
        return obj.n_articles

    @admin.display(description=_("页面"))
    def public_link(self, obj):
        return format_html('<a href="{}?category={}" target="_blank" rel="noopener">{}</a>',
                           reverse("article_list"), obj.code, _("查看"))


class AssistanceCategoryFormSet(forms.BaseInlineFormSet):
    def clean(self):
        seen, repeated = set(), []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            category = form.cleaned_data.get("category")
            if category in seen:
                repeated.append(CATEGORIES.get(category, category))
            seen.add(category)
        if repeated:
            raise forms.ValidationError(
                _("同一保障方式中每个类别只能列一次，重复的是：%(names)s。") % {"names": "、".join(repeated)}
            )
        super().clean()


class AssistanceCategoryInline(admin.TabularInline):
    model = AssistanceCategory
    formset = AssistanceCategoryFormSet
    extra = 0
    fields = ["category", "description", "sort_order"]


class AssistanceConditionInline(admin.TabularInline):
    model = AssistanceCondition
    extra = 0
    fields = ["category", "text", "sort_order"]
    formfield_overrides = {}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "text":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 70})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class AssistanceMaterialInline(admin.TabularInline):
    model = AssistanceMaterial
    extra = 0
    fields = ["kind", "name", "description", "sort_order"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "description":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 60})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class AssistanceStepInline(admin.TabularInline):
    model = AssistanceStep
    extra = 0
    fields = ["sort_order", "title", "description", "time_limit"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "description":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 60})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(AssistanceForm)
class AssistanceFormAdmin(admin.ModelAdmin):
    inlines = [AssistanceCategoryInline, AssistanceConditionInline, AssistanceMaterialInline, AssistanceStepInline]
    list_display = ["name", "code", "category_list", "is_published", "sort_order", "updated_at", "public_link"]
    list_filter = ["is_published", "categories__category"]
    search_fields = ["name", "summary", "conditions__text", "materials__name", "steps__title"]
    fields = ["code", "name", "summary", "is_published", "sort_order"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("categories").distinct()

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []

    @admin.display(description=_("保障对象类别"))
    def category_list(self, obj):
        return "、".join(c.get_category_display() for c in obj.categories.all()) or _("（未设类别，指南中不显示可选类别）")

    @admin.display(description=_("页面"))
    def public_link(self, obj):
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', obj.get_absolute_url(), _("查看"))


@admin.register(DailyVisit)
class DailyVisitAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["day", "kind", "count", "updated_at"]
    list_filter = ["kind", "day"]
    date_hierarchy = "day"

    def has_delete_permission(self, request, obj=None):
        return False
