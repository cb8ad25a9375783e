"""Policy articles (政策资讯): every image shown loads, bodies are sanitised, files are checked by
content and served only with their article, and the list pages cost a fixed number of queries."""

import io
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from gongzufang.article_html import sanitize_article_html
from gongzufang.errors import PortalError, TransitionNotAllowed
from gongzufang.models import Article, ArticleImage
from gongzufang.services.articles import (
    article_attachment_add,
    article_create,
    article_image_add,
    article_publish,
    article_set_body,
    article_unpublish,
)
from tests.gongzufang.articles_helpers import (
    article_with_images,
    assert_every_image_loads,
    category,
    follow_link,
    img_srcs,
    pdf_bytes,
    png,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# --- every image loads -------------------------------------------------------------------------


def test_every_image_in_the_article_list_loads(client):
    article_with_images(title="甲", images=1)
    article_with_images(title="乙", images=0)
    article_with_images(title="丙", images=2, cover=False)
    html = client.get(reverse("article_list")).content.decode()
    assert assert_every_image_loads(client, html) == 2  # the two covers


def test_every_image_on_an_article_page_loads(client):
    article = article_with_images(images=3, attachment=True)
    html = client.get(article.get_absolute_url()).content.decode()
    assert assert_every_image_loads(client, html) == 4  # cover and three inline images
    assert "正文第一段" in html and "管理办法全文" in html


def test_every_image_of_the_demo_articles_loads(client):
    from gongzufang import demo_articles

    demo_articles.seed()
    demo_articles.seed()  # idempotent
    assert Article.objects.count() == 6
    assert ArticleImage.objects.count() >= 5
    list_html = client.get(reverse("article_list")).content.decode()
    assert assert_every_image_loads(client, list_html) >= 5
    for article in Article.objects.all():
        page = client.get(article.get_absolute_url())
        assert page.status_code == 200
        html = page.content.decode()
        shown = assert_every_image_loads(client, html)
        assert shown == article.images.count() + (1 if article.cover else 0), article.title
    pdf = Article.objects.get(attachments__isnull=False).attachments.get()
    response = client.get(pdf.url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")


def test_an_anonymous_visitor_reaches_articles_whose_images_all_load_from_the_home_page(client):
    article = article_with_images(title="公租房摇号公告", code="notice", images=2, attachment=True)
    home = client.get("/").content.decode()
    assert article.title in home  # the home page's latest articles
    listing = client.get(follow_link(home, "政策资讯")).content.decode()
    assert assert_every_image_loads(client, listing) == 1
    tab = client.get(follow_link(listing, "通知公告")).content.decode()
    page = client.get(follow_link(tab, article.title))
    assert page.status_code == 200
    assert assert_every_image_loads(client, page.content.decode()) == 3
    from_home = client.get(follow_link(home, article.title)).content.decode()
    assert assert_every_image_loads(client, from_home) == 3


# --- sanitising -------------------------------------------------------------------------------


def test_script_event_handlers_and_javascript_urls_are_removed_from_the_body(client):
    article = article_with_images(images=1)
    own = article.images.get()
    dirty = (
        '<p onclick="steal()">政策<script>alert(1)</script>正文</p>'
        '<img src="x" onerror="alert(2)">'
        f'<img src="{own.url}" onerror="alert(3)" alt="本文图片">'
        '<a href="javascript:alert(4)">点我</a>'
        '<a href="JaVaScRiPt:alert(5)">再点</a>'
        '<img src="http://evil.example/track.png">'
        '<img src="data:image/png;base64,iVBORw0KGgo=">'
        '<iframe src="http://evil.example"></iframe>'
        '<style>body{display:none}</style>'
        '<svg onload="alert(6)"><circle r="5"/></svg>'
        '<p style="background:url(javascript:alert(7))" class="x" id="y">段落</p>'
        '<form action="http://evil.example"><input name="id"></form>'
    )
    assert article_set_body(article=article, body=dirty) is True
    article.refresh_from_db()
    body = article.body
    for bad in ["<script", "alert", "onerror", "onclick", "onload", "javascript:", "evil.example", "data:", "<iframe",
                "<style", "<svg", "style=", "class=", "id=", "<form", "<input"]:
        assert bad not in body.lower(), (bad, body)
    assert img_srcs(body) == [own.url]
    assert "政策" in body and "正文" in body and "点我" in body and "段落" in body
    html = client.get(article.get_absolute_url()).content.decode()
    assert "alert(" not in html and "javascript:" not in html


def test_a_body_keeps_ordinary_formatting():
    html = (
        "<h2>一、适用范围</h2><p><strong>加粗</strong><em>强调</em></p><ul><li>一</li></ul>"
        '<table><tr><th colspan="2">表头</th></tr><tr><td>甲</td><td>乙</td></tr></table>'
        '<p><a href="https://www.gov.cn/zhengce/">国务院政策</a></p>'
    )
    cleaned = sanitize_article_html(html)
    for kept in ["<h2>", "<strong>", "<em>", "<li>", 'colspan="2"', "<td>", 'href="https://www.gov.cn/zhengce/"']:
        assert kept in cleaned
    assert 'rel="noopener noreferrer"' in cleaned


def test_only_the_articles_own_images_stay_in_its_body():
    other = article_with_images(title="别的文章", images=1)
    article = article_with_images(images=1)
    own, foreign = article.images.get(), other.images.get()
    article_set_body(
        article=article,
        body=f'<img src="{foreign.url}"><img src="http://portal.example{own.url}" alt="a > b"><img alt="无地址">',
    )
    article.refresh_from_db()
    assert img_srcs(article.body) == [own.url]  # absolute URL to our view made relative, others gone
    assert "<img alt=" not in article.body


def test_a_body_written_at_creation_cannot_reference_images_yet():
    other = article_with_images(images=1)
    article = article_create(
        category=category(), title="新文", actor=None, body=f'<p>文</p><img src="{other.images.get().url}">',
    )
    assert "<img" not in article.body


def test_titles_summaries_and_captions_are_escaped_not_interpreted(client):
    article = article_with_images(
        title="<b>加粗标题</b><script>alert(1)</script>", summary="<img src=x onerror=alert(2)>摘要", images=0,
    )
    image = article_image_add(article=article, file=png(), caption="<script>alert(3)</script>")
    list_html = client.get(reverse("article_list")).content.decode()
    detail_html = client.get(article.get_absolute_url()).content.decode()
    for html in (list_html, detail_html):
        assert "<b>加粗标题</b>" not in html
        assert "&lt;b&gt;加粗标题&lt;/b&gt;" in html
        assert "<script>alert" not in html
    assert "&lt;img src=x onerror=alert(2)&gt;摘要" in list_html
    assert image.caption == "<script>alert(3)</script>"  # stored as typed, escaped wherever shown


# --- visibility of articles and their files ------------------------------------------------


def _files_of(article):
    urls = [image.url for image in article.images.all()] + [a.url for a in article.attachments.all()]
    return urls + ([article.cover_url] if article.cover else [])


def test_a_draft_and_its_files_answer_404_to_the_public_and_to_applicants(client, alice):
    draft = article_with_images(publish=False, attachment=True)
    assert client.get(reverse("article_list")).content.decode().count(draft.title) == 0
    for c in (client, _logged_in(client, alice)):
        assert c.get(draft.get_absolute_url()).status_code == 404
        for url in _files_of(draft):
            assert c.get(url).status_code == 404, url


def _logged_in(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("persona", ["chen", "dave", "carol"])
def test_staff_preview_a_draft_with_its_images(client, persona, request):
    draft = article_with_images(publish=False)
    client.force_login(request.getfixturevalue(persona))
    page = client.get(draft.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "预览" in html
    assert assert_every_image_loads(client, html) == 3
    assert client.get(draft.images.first().url)["Cache-Control"] == "private, no-store"


def test_a_withdrawn_article_stops_serving_its_files(client, chen):
    article = article_with_images(attachment=True)
    files = _files_of(article)
    assert all(client.get(url).status_code == 200 for url in files)
    article_unpublish(article=article, actor=chen, opinion="政策已废止")
    assert client.get(article.get_absolute_url()).status_code == 404
    assert all(client.get(url).status_code == 404 for url in files)


def test_an_article_with_a_future_publish_time_is_hidden_until_then(client, chen):
    article = article_with_images(published_at=timezone.now() + timedelta(days=1), actor=chen)
    assert article.status == Article.Status.PUBLISHED
    assert client.get(article.get_absolute_url()).status_code == 404
    assert client.get(article.images.first().url).status_code == 404


def test_unknown_ids_answer_404(client):
    for name in ["article_detail", "article_image", "article_cover", "article_attachment"]:
        assert client.get(reverse(name, args=[999999])).status_code == 404


def test_the_media_folder_is_not_mounted(client, settings):
    article = article_with_images(images=1)
    stored = article.images.get().image.name
    assert client.get(settings.MEDIA_URL + stored).status_code == 404
    assert client.get("/" + stored).status_code == 404


def test_an_attachment_downloads_as_a_pdf_under_its_title(client):
    article = article_with_images(attachment=True)
    response = client.get(article.attachments.get().url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert "filename*=utf-8''%E7%AE%A1%E7%90%86" in response["Content-Disposition"]  # 管理办法全文.pdf
    assert b"".join(response.streaming_content) == pdf_bytes()


def test_a_served_image_says_what_it_is_and_cannot_run_as_a_page(client):
    response = client.get(article_with_images(images=1).images.get().url)
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


# --- uploads -----------------------------------------------------------------------------------


def _article():
    return article_create(category=category(), title="上传测试", actor=None)


def test_a_text_file_named_like_an_image_is_refused_with_a_message():
    with pytest.raises(ValidationError) as excinfo:
        article_image_add(article=_article(), file=ContentFile(b"<script>alert(1)</script>" * 20, name="photo.png"))
    assert "不是有效的图片" in " ".join(excinfo.value.messages)


def test_a_pdf_named_like_an_image_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        article_image_add(article=_article(), file=ContentFile(pdf_bytes(), name="photo.jpg"))
    assert "图片" in " ".join(excinfo.value.messages)


def test_a_truncated_image_is_refused():
    data = png(800, 600).read()
    with pytest.raises(ValidationError) as excinfo:
        article_image_add(article=_article(), file=ContentFile(data[: len(data) // 2], name="half.png"))
    assert "图片" in " ".join(excinfo.value.messages)


def test_an_image_over_the_size_limit_is_refused(settings):
    settings.ARTICLE_IMAGE_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as excinfo:
        article_image_add(article=_article(), file=png(400, 400, fmt="JPEG"))
    assert "过大" in " ".join(excinfo.value.messages)


def test_an_image_huge_in_pixels_is_refused_without_being_decoded():
    # 20000 × 20000 one-bit pixels compress to a few kilobytes: a decompression bomb.
    image = Image.new("1", (20000, 20000))
    out = io.BytesIO()
    image.save(out, "PNG")
    assert out.tell() < 200_000
    with pytest.raises(ValidationError) as excinfo:
        article_image_add(article=_article(), file=ContentFile(out.getvalue(), name="bomb.png"))
    assert "尺寸过大" in " ".join(excinfo.value.messages)


def test_an_image_longer_than_the_longest_side_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        article_image_add(article=_article(), file=png(6500, 20))
    assert "长边不能超过 6000" in " ".join(excinfo.value.messages)


def test_a_tiny_image_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        article_image_add(article=_article(), file=png(8, 8))
    assert "太小" in " ".join(excinfo.value.messages)


def test_an_accepted_photo_loses_its_exif():
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x8825] = {2: (45.0, 30.0, 0.0)}  # GPS latitude
    image = article_image_add(article=_article(), file=png(300, 200, fmt="JPEG", exif=exif.tobytes()))
    with Image.open(image.image.path) as stored:
        assert not stored.getexif()
    assert image.content_type == "image/jpeg" and (image.width, image.height) == (300, 200)


def test_a_fake_or_truncated_pdf_is_refused():
    for data in [b"%PDF-1.4 but nothing else", b"GIF89a" + b"\0" * 100, png().read()]:
        with pytest.raises(ValidationError) as excinfo:
            article_attachment_add(article=_article(), file=ContentFile(data, name="x.pdf"))
        assert "PDF" in " ".join(excinfo.value.messages)


def test_a_pdf_over_the_limit_is_refused(settings):
    settings.ARTICLE_PDF_MAX_BYTES = 100
    with pytest.raises(ValidationError) as excinfo:
        article_attachment_add(article=_article(), file=ContentFile(pdf_bytes(), name="x.pdf"))
    assert "过大" in " ".join(excinfo.value.messages)


# --- status changes ----------------------------------------------------------------------------


def test_publishing_and_withdrawing_are_recorded(chen):
    article = article_with_images(publish=False)
    article_publish(article=article, actor=chen, opinion="审核通过")
    article_unpublish(article=article, actor=chen, opinion="内容更新")
    article_publish(article=article, actor=chen)
    changes = list(article.status_changes.values_list("from_status", "to_status", "actor__username", "actor_level"))
    assert changes == [
        ("draft", "published", "chen", "city"), ("published", "withdrawn", "chen", "city"),
        ("withdrawn", "published", "chen", "city"),
    ]
    assert article.status_changes.first().opinion == "审核通过"


def test_an_article_cannot_be_published_twice_or_withdrawn_without_a_reason(chen):
    article = article_with_images()
    with pytest.raises(TransitionNotAllowed):
        article_publish(article=article, actor=chen)
    with pytest.raises(PortalError):
        article_unpublish(article=article, actor=chen, opinion=" ")


def test_an_empty_article_cannot_be_published(chen):
    article = article_create(category=category(), title="空文", actor=chen)
    with pytest.raises(PortalError, match="不能都为空"):
        article_publish(article=article, actor=chen)


def test_publishing_keeps_a_publish_date_set_in_advance(chen):
    when = timezone.now() - timedelta(days=10)
    article = article_create(category=category(), title="旧文补录", actor=chen, body="<p>正文</p>", published_at=when)
    article_publish(article=article, actor=chen)
    article.refresh_from_db()
    assert article.published_at == when


# --- list pages --------------------------------------------------------------------------------


def _plain_article(i, code="news"):
    article = article_create(category=category(code), title=f"新闻{i:02d}", actor=None, body="<p>正文</p>")
    article_publish(article=article, actor=None, published_at=timezone.now() - timedelta(hours=i))
    return article


def _titles(html):
    return re.findall(r'<h2 class="title"><a href="[^"]+">([^<]+)</a>', html)


def test_the_list_is_paginated_newest_first(client):
    for i in range(13):
        _plain_article(i)
    first = client.get(reverse("article_list")).content.decode()
    second = client.get(reverse("article_list") + "?page=2").content.decode()
    assert _titles(first) == [f"新闻{i:02d}" for i in range(10)]
    assert _titles(second) == [f"新闻{i:02d}" for i in range(10, 13)]
    assert "第 1 / 2 页" in first and 'rel="next"' in first
    assert client.get(reverse("article_list") + "?page=3").status_code == 404
    assert client.get(reverse("article_list") + "?page=x").status_code == 404


def test_category_tabs_filter_the_list(client):
    _plain_article(1, "news")
    _plain_article(2, "notice")
    html = client.get(reverse("article_list") + "?category=notice").content.decode()
    assert _titles(html) == ["新闻02"]
    for name in ["政策法规", "办事指南", "通知公告", "新闻动态"]:
        assert name in html
    assert 'aria-current="page">通知公告' in html
    assert client.get(reverse("article_list") + "?category=nope").status_code == 404
    empty = client.get(reverse("article_list") + "?category=guide")
    assert empty.status_code == 200 and "暂无资讯" in empty.content.decode()


@pytest.mark.parametrize("count", [1, 10, 25])
def test_the_list_costs_the_same_number_of_queries_however_many_articles(client, count):
    for i in range(count):
        article_with_images(title=f"文{i}", images=0, cover=True) if i % 2 else _plain_article(i)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("article_list"))
    assert response.status_code == 200
    assert len(_titles(response.content.decode())) == min(count, 10)
    assert len(queries) <= 3, [q["sql"] for q in queries]


def test_the_article_page_costs_a_fixed_number_of_queries(client):
    small = article_with_images(images=1, attachment=True)
    big = article_with_images(title="多图", images=5, attachment=True)
    counts = []
    for article in (small, big):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(article.get_absolute_url()).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 3


def test_the_info_hub_lists_the_latest_articles_and_links_to_the_list_and_the_guide(client):
    article = article_with_images(images=0)
    html = client.get(reverse("info")).content.decode()
    assert article.title in html
    assert f'href="{reverse("article_list")}"' in html and f'href="{reverse("guide")}"' in html


# --- admin -------------------------------------------------------------------------------------


def _admin_add_data(**extra):
    data = {
        "category": category().pk, "title": "后台新增的资讯", "summary": "", "source": "市住建局",
        "body": '<p>正文</p><script>alert(1)</script>', "published_at": "",
        "images-TOTAL_FORMS": "1", "images-INITIAL_FORMS": "0", "images-MIN_NUM_FORMS": "0",
        "images-MAX_NUM_FORMS": "1000", "images-0-caption": "示意图",
        "attachments-TOTAL_FORMS": "1", "attachments-INITIAL_FORMS": "0", "attachments-MIN_NUM_FORMS": "0",
        "attachments-MAX_NUM_FORMS": "1000", "attachments-0-title": "", "attachments-0-sort_order": "0",
        "status_changes-TOTAL_FORMS": "0", "status_changes-INITIAL_FORMS": "0",
        "status_changes-MIN_NUM_FORMS": "0", "status_changes-MAX_NUM_FORMS": "1000",
    }
    data.update(extra)
    return data


def test_city_staff_add_an_article_with_images_in_the_admin(client, chen):
    client.force_login(chen)
    data = _admin_add_data(
        **{"images-0-image": SimpleUploadedFile("a.png", png().read(), content_type="image/png"),
           "attachments-0-file": SimpleUploadedFile("办法.pdf", pdf_bytes(), content_type="application/pdf"),
           "cover": SimpleUploadedFile("c.jpg", png(fmt="JPEG").read(), content_type="image/jpeg")},
    )
    response = client.post(reverse("admin:gongzufang_article_add"), data, follow=True)
    assert response.status_code == 200
    article = Article.objects.get(title="后台新增的资讯")
    assert "<script" not in article.body
    assert "已被自动移除" in response.content.decode()
    assert article.images.get().content_type == "image/png"
    assert article.cover_content_type == "image/jpeg" and article.cover_width == 320
    attachment = article.attachments.get()
    assert attachment.original_name == "办法.pdf" and attachment.size == len(pdf_bytes())
    assert article.created_by == chen and article.status == Article.Status.DRAFT


def test_save_and_publish_from_the_admin_form(client, chen):
    client.force_login(chen)
    add = client.get(reverse("admin:gongzufang_article_add")).content.decode()
    assert 'name="_publish"' in add and "插入代码" in add
    response = client.post(reverse("admin:gongzufang_article_add"), _admin_add_data(**{"_publish": "保存并发布", "images-0-caption": ""}), follow=True)
    assert response.status_code == 200
    article = Article.objects.get(title="后台新增的资讯")
    assert article.status == Article.Status.PUBLISHED and article.published_at is not None
    assert article.status_changes.get().actor == chen
    change = client.get(reverse("admin:gongzufang_article_change", args=[article.pk])).content.decode()
    assert 'name="_publish"' not in change and "状态记录" in change


def test_the_admin_refuses_a_fake_image_with_a_clear_message(client, chen):
    client.force_login(chen)
    data = _admin_add_data(**{"images-0-image": SimpleUploadedFile("a.png", b"not an image at all" * 10)})
    response = client.post(reverse("admin:gongzufang_article_add"), data)
    assert response.status_code == 200
    assert "文件内容不是有效的图片" in response.content.decode()
    assert not Article.objects.filter(title="后台新增的资讯").exists()


def test_the_admin_refuses_a_fake_pdf(client, chen):
    client.force_login(chen)
    data = _admin_add_data(**{"attachments-0-file": SimpleUploadedFile("a.pdf", png().read())})
    response = client.post(reverse("admin:gongzufang_article_add"), data)
    assert "文件内容不是有效的 PDF 文档" in response.content.decode()


def test_admin_publish_and_withdraw_actions_record_the_change(client, chen):
    article = article_with_images(publish=False)
    client.force_login(chen)
    url = reverse("admin:gongzufang_article_changelist")
    client.post(url, {"action": "publish_selected", "_selected_action": [article.pk]})
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    client.post(url, {"action": "unpublish_selected", "_selected_action": [article.pk]})
    article.refresh_from_db()
    assert article.status == Article.Status.WITHDRAWN
    assert article.status_changes.count() == 2


def test_the_admin_list_searches_and_filters(client, chen):
    article_with_images(title="摇号公告", code="notice", images=0)
    article_with_images(title="年审通知", code="notice", images=0, publish=False)
    client.force_login(chen)
    url = reverse("admin:gongzufang_article_changelist")
    assert "年审通知" not in client.get(url + "?q=摇号").content.decode()
    html = client.get(url + "?status__exact=draft").content.decode()
    assert "年审通知" in html and "摇号公告" not in html


def test_district_staff_read_articles_in_the_admin_but_cannot_add(client, dave):
    article = article_with_images(images=0)
    client.force_login(dave)
    assert client.get(reverse("admin:gongzufang_article_changelist")).status_code == 200
    assert client.get(reverse("admin:gongzufang_article_change", args=[article.pk])).status_code == 200
    assert client.get(reverse("admin:gongzufang_article_add")).status_code == 403


def test_applicants_cannot_reach_the_article_admin(client, alice):
    client.force_login(alice)
    response = client.get(reverse("admin:gongzufang_article_changelist"))
    assert response.status_code == 302 and "/login/" in response["Location"]
