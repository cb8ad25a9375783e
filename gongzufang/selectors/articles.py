"""Reads of policy articles. Visibility is decided here once: the public sees published articles
whose time has come; staff also see drafts (preview). Everything else answers 404."""

from datetime import datetime, time, timedelta

from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from gongzufang.models import Article, ArticleAttachment, ArticleCategory, ArticleImage


def article_categories():
    return list(ArticleCategory.objects.order_by("sort_order", "code"))


def category_counts(*, now=None):
    """{category code: number of public articles}, one query."""
    now = now or timezone.now()
    public = Q(articles__status=Article.Status.PUBLISHED, articles__published_at__lte=now)
    return dict(ArticleCategory.objects.annotate(n=Count("articles", filter=public)).values_list("code", "n"))


def public_articles(*, category: ArticleCategory | None = None):
    """Published articles, newest first, ready for a list (category joined, body not loaded)."""
    qs = Article.objects.public().select_related("category").defer("body")
    if category is not None:
        qs = qs.filter(category=category)
    return qs.order_by("-published_at", "-id")


def latest_articles(limit=5):
    return list(public_articles()[:limit])


def articles_published_between(start, end):
    """Number of articles first published in [start, end] (dates, local time) — for statistics."""
    tz = timezone.get_current_timezone()
    lower = datetime.combine(start, time.min, tzinfo=tz)
    upper = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    return Article.objects.public().filter(published_at__gte=lower, published_at__lt=upper).count()


def _visible_articles(user):
    return Article.objects.for_user(user)


def article_for_viewer(user, pk) -> Article:
    try:
        return _visible_articles(user).select_related("category").get(pk=pk)
    except (Article.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def article_attachments(article):
    return list(article.attachments.order_by("sort_order", "id"))


def image_for_viewer(user, pk) -> ArticleImage:
    """An inline image, if the viewer may see its article."""
    try:
        return ArticleImage.objects.select_related("article").get(
            pk=pk, article__in=_visible_articles(user).values("pk"),
        )
    except (ArticleImage.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def cover_for_viewer(user, pk) -> Article:
    article = article_for_viewer(user, pk)
    if not article.cover:
        raise Http404
    return article


def attachment_for_viewer(user, pk) -> ArticleAttachment:
    try:
        return ArticleAttachment.objects.select_related("article").get(
            pk=pk, article__in=_visible_articles(user).values("pk"),
        )
    except (ArticleAttachment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
