"""Public pages of policy articles (政策资讯) and the views that serve their files.

Files live in the private MEDIA_ROOT and are only reachable here: a published article's cover,
images and attachments are served to anyone; a draft's only to staff (preview). Anything else,
including an unknown id, answers 404.
"""

import mimetypes

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from gongzufang.article_html import sanitize_article_html
from gongzufang.selectors import articles as selectors

ARTICLES_PER_PAGE = 10
PUBLIC_FILE_MAX_AGE = 3600


@require_GET
def article_list(request):
    categories = selectors.article_categories()
    current = None
    code = request.GET.get("category", "")
    if code:
        current = next((c for c in categories if c.code == code), None)
        if current is None:
            raise Http404
    paginator = Paginator(selectors.public_articles(category=current), ARTICLES_PER_PAGE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except PageNotAnInteger:
        raise Http404 from None
    except EmptyPage:
        if paginator.count:
            raise Http404 from None
        page = paginator.page(1)
    return render(request, "articles/list.html", {
        "categories": categories, "current": current, "page": page, "articles": page.object_list,
    })


@require_GET
def article_detail(request, pk):
    article = selectors.article_for_viewer(request.user, pk)
    # Sanitised when stored; cleaned again here, keeping only the article's own images, so a
    # page never shows an image the portal would not serve with it.
    own_images = set(article.images.values_list("pk", flat=True))
    body = mark_safe(sanitize_article_html(article.body, allowed_image_ids=own_images))  # noqa: S308
    return render(request, "articles/detail.html", {
        "article": article, "body": body, "attachments": selectors.article_attachments(article),
        "preview": not article.is_public,
    })


def _file_response(field, *, content_type, public, filename=None):
    try:
        handle = field.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle, content_type=content_type, as_attachment=filename is not None, filename=filename or "",
    )
    response["Cache-Control"] = f"public, max-age={PUBLIC_FILE_MAX_AGE}" if public else "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _image_type(stored, name):
    return stored or mimetypes.guess_type(name)[0] or "application/octet-stream"


@require_GET
def article_image(request, pk):
    image = selectors.image_for_viewer(request.user, pk)
    return _file_response(
        image.image, content_type=_image_type(image.content_type, image.image.name), public=image.article.is_public,
    )


@require_GET
def article_cover(request, pk):
    article = selectors.cover_for_viewer(request.user, pk)
    return _file_response(
        article.cover, content_type=_image_type(article.cover_content_type, article.cover.name),
        public=article.is_public,
    )


@require_GET
def article_attachment(request, pk):
    attachment = selectors.attachment_for_viewer(request.user, pk)
    return _file_response(
        attachment.file, content_type="application/pdf", public=attachment.article.is_public,
        filename=attachment.download_name,
    )

