"""Every write to policy articles: bodies are sanitised before they are stored, files are
checked by content before they are kept, status changes go through the workflow with a record."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzufang.article_files import clean_image_upload, clean_pdf_upload
from gongzufang.article_html import removed_something, sanitize_article_html
from gongzufang.errors import PortalError
from gongzufang.models import Article, ArticleAttachment, ArticleCategory, ArticleImage
from gongzufang.workflow import transition


class ArticleNotReady(PortalError):
    code = "article_not_ready"


def _own_image_ids(article):
    return set(article.images.values_list("pk", flat=True)) if article.pk else set()


@transaction.atomic
def article_create(
    *, category: ArticleCategory, title: str, actor, body: str = "", summary: str = "", source: str | None = None,
    published_at=None,
) -> Article:
    """A draft. Images can only be referenced once they are uploaded to it (`article_image_add`),
    so the body is stored with foreign images removed; call `article_set_body` after uploading."""
    article = Article(category=category, title=title.strip(), summary=summary.strip(), published_at=published_at,
                      created_by=actor)
    if source is not None:
        article.source = source
    article.body = sanitize_article_html(body, allowed_image_ids=set())
    article.full_clean()
    article.save()
    return article


@transaction.atomic
def article_set_body(*, article: Article, body: str) -> bool:
    """Store the sanitised `body`, keeping only this article's own images. Returns True when
    sanitising removed something (scripts, event attributes, foreign images…), so the caller can
    tell the editor."""
    cleaned = sanitize_article_html(body, allowed_image_ids=_own_image_ids(article))
    article.body = cleaned
    Article.objects.filter(pk=article.pk).update(body=cleaned, updated_at=timezone.now())
    return removed_something(body, cleaned)


@transaction.atomic
def article_image_add(*, article: Article, file, caption: str = "") -> ArticleImage:
    cleaned, info = clean_image_upload(file)
    image = ArticleImage(article=article, caption=caption.strip(), content_type=info.content_type, size=cleaned.size)
    image.image.save(cleaned.name, cleaned, save=False)
    image.save()
    return image


@transaction.atomic
def article_cover_set(*, article: Article, file) -> Article:
    cleaned, info = clean_image_upload(file)
    old = article.cover.name if article.cover else None
    article.cover_content_type = info.content_type
    article.cover.save(cleaned.name, cleaned, save=False)
    article.save(update_fields=["cover", "cover_width", "cover_height", "cover_content_type", "updated_at"])
    if old:
        transaction.on_commit(lambda: article.cover.storage.delete(old))
    return article


@transaction.atomic
def article_attachment_add(*, article: Article, file, title: str = "", original_name: str | None = None):
    cleaned = clean_pdf_upload(file)  # pages rewritten without scripts or embedded files
    name = original_name or getattr(file, "name", "") or ""
    attachment = ArticleAttachment(article=article, title=title.strip(), original_name=name.rsplit("/", 1)[-1][:200],
                                   size=cleaned.size)
    attachment.file.save("attachment.pdf", cleaned, save=False)
    attachment.save()
    return attachment


def article_check_ready(article: Article):
    if not article.title.strip():
        raise ArticleNotReady(_("标题不能为空。"))
    if not article.body.strip() and not article.attachments.exists():
        raise ArticleNotReady(_("正文和附件不能都为空。"))


def article_publish(*, article: Article, actor, published_at=None, opinion: str = "") -> Article:
    """Publish (or re-publish) the article. The publish time is `published_at`, else the time
    already set on the article, else now; a future time keeps it hidden until then."""
    article_check_ready(article)
    with transaction.atomic():
        transition(article, "publish", actor=actor, opinion=opinion)
        when = published_at or article.published_at or timezone.now()
        Article.objects.filter(pk=article.pk).update(published_at=when)
    article.published_at = when
    return article


def article_unpublish(*, article: Article, actor, opinion: str) -> Article:
    """Withdraw a published article from the public pages (its files stop being served)."""
    if not (opinion or "").strip():
        raise PortalError(_("撤回须填写原因。"))
    transition(article, "withdraw", actor=actor, opinion=opinion)
    return article
