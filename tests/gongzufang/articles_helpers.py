"""Building articles with real image and PDF files for the article, guide and browser tests."""

import io
import re
from html.parser import HTMLParser

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from gongzufang.models import ArticleCategory
from gongzufang.services.articles import (
    article_attachment_add,
    article_cover_set,
    article_create,
    article_image_add,
    article_publish,
    article_set_body,
)


def png(width=320, height=180, colour=(179, 38, 30), fmt="PNG", exif=None) -> ContentFile:
    image = Image.new("RGB", (width, height), colour)
    if width > 40 and height > 40:
        ImageDraw.Draw(image).rectangle([10, 10, width // 2, height // 2], fill=(255, 255, 255))
    out = io.BytesIO()
    options = {"exif": exif} if exif is not None else {}
    image.save(out, fmt, **options)
    return ContentFile(out.getvalue(), name=f"picture.{fmt.lower()}")


def pdf_bytes() -> bytes:
    # A minimal, complete PDF (one empty page) that pypdf reads: what an upload must be.
    from tests.helpers import pdf_bytes as complete_pdf

    return complete_pdf()


def category(code="policy"):
    return ArticleCategory.objects.get(code=code)


def article_with_images(*, title="公租房政策解读", code="policy", images=2, cover=True, publish=True, actor=None,
                        published_at=None, attachment=False, summary="摘要"):
    """An article whose body shows `images` uploaded images, with a cover and optionally a PDF."""
    article = article_create(category=category(code), title=title, summary=summary, actor=actor)
    if cover:
        article_cover_set(article=article, file=png(640, 360, (11, 87, 208)))
    tags = []
    for i in range(images):
        image = article_image_add(article=article, file=png(400 + i, 300, (30, 125, 50)), caption=f"图{i + 1}")
        tags.append(f'<p><img src="{image.url}" alt="图{i + 1}"></p>')
    article_set_body(article=article, body="<p>正文第一段。</p>" + "".join(tags) + "<p>正文完。</p>")
    if attachment:
        article_attachment_add(
            article=article, file=ContentFile(pdf_bytes(), name="办法.pdf"), title="管理办法全文",
        )
    if publish:
        article_publish(article=article, actor=actor, published_at=published_at or timezone.now())
    article.refresh_from_db()
    return article


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images, self.links = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs.get("src"))
        if tag == "a" and attrs.get("href"):
            self.links.append((attrs["href"], attrs))


def img_srcs(html):
    parser = _Collector()
    parser.feed(html)
    return parser.images


def links(html):
    parser = _Collector()
    parser.feed(html)
    return [href for href, _attrs in parser.links]


def assert_every_image_loads(client, html):
    """Fetch every <img src> of a page; each must be a real image. Returns how many there were."""
    srcs = img_srcs(html)
    for src in srcs:
        assert src, "an <img> without src"
        assert src.startswith("/") and not src.startswith("//"), f"outside or relative URL: {src}"
        response = client.get(src)
        assert response.status_code == 200, src
        assert response["Content-Type"].startswith("image/"), (src, response["Content-Type"])
        data = b"".join(response.streaming_content) if response.streaming else response.content
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            assert image.size[0] > 0 and image.size[1] > 0
    return len(srcs)


def follow_link(html, text):
    """The href of the first link whose text (as read out: aria-hidden parts left out) starts with `text`."""
    for match in re.finditer(r'<a\b[^>]*href="([^"]+)"[^>]*>(.*?)</a>', html, re.S):
        read_out = re.sub(r'<(\w+)[^>]*aria-hidden="true"[^>]*>.*?</\1>', "", match.group(2), flags=re.S)
        if re.sub(r"<[^>]+>|\s", "", read_out).startswith(text):
            return match.group(1).replace("&amp;", "&")
    raise AssertionError(f"no link starting with “{text}”; links: {links(html)}")
