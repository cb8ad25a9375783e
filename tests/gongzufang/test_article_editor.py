"""The article body is edited as rich text (issue 12, item 24): the admin form carries the editor, served
from our own static files and started by a module file (no inline script, so the CSP holds); a body with
<script> is still cleaned; an image uploaded in the editor becomes the article's own image, for city
staff who may change the article only."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongzufang.models import Article, ArticleImage
from tests.gongzufang.articles_helpers import article_with_images, png

pytestmark = pytest.mark.django_db


def upload_url(article):
    return reverse("admin:gongzufang_article_upload_image", args=[article.pk])


def image_file(name="图.png"):
    return SimpleUploadedFile(name, png(480, 320).read(), content_type="image/png")


@pytest.fixture
def article(chen):
    return article_with_images(images=0, publish=False, actor=chen)


def test_the_change_form_renders_the_editor_from_local_files_without_inline_script(client, chen, article):
    client.force_login(chen)
    response = client.get(reverse("admin:gongzufang_article_change", args=[article.pk]))
    html = response.content.decode()
    textarea = re.search(r"<textarea[^>]*name=\"body\"[^>]*>", html).group(0)
    assert 'data-article-editor="1"' in textarea
    assert f'data-upload-url="{upload_url(article)}"' in textarea
    assert 'data-editor-module="/static/django_prose_editor/editor.js"' in textarea
    assert '<script src="/static/articles/article_editor.js" type="module"></script>' in html
    assert 'href="/static/django_prose_editor/editor.css"' in html
    # Every script of the page is a file of ours: nothing inline, nothing from elsewhere.
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert re.search(r'src="/(static|admin)/', tag) or 'type="application/json"' in tag, tag
    for url in ("/static/articles/article_editor.js", "/static/django_prose_editor/editor.js"):
        assert client.get(url).status_code == 200, url


def test_a_new_article_gets_the_editor_without_upload_until_saved(client, chen):
    client.force_login(chen)
    html = client.get(reverse("admin:gongzufang_article_add")).content.decode()
    textarea = re.search(r"<textarea[^>]*name=\"body\"[^>]*>", html).group(0)
    assert 'data-article-editor="1"' in textarea and 'data-upload-url=""' in textarea


def test_saving_a_body_with_a_script_still_strips_it(client, chen, article):
    client.force_login(chen)
    change = reverse("admin:gongzufang_article_change", args=[article.pk])
    data = {
        "category": article.category_id, "title": article.title, "summary": "", "source": "",
        "body": '<h2>标题</h2><p>正文<img src="x" onerror="alert(1)"></p><script>alert(1)</script>', "published_at": "",
        "images-TOTAL_FORMS": "0", "images-INITIAL_FORMS": "0", "images-MIN_NUM_FORMS": "0",
        "images-MAX_NUM_FORMS": "1000", "attachments-TOTAL_FORMS": "0", "attachments-INITIAL_FORMS": "0",
        "attachments-MIN_NUM_FORMS": "0", "attachments-MAX_NUM_FORMS": "1000",
        "status_changes-TOTAL_FORMS": "0", "status_changes-INITIAL_FORMS": "0",
        "status_changes-MIN_NUM_FORMS": "0", "status_changes-MAX_NUM_FORMS": "1000",
    }
    response = client.post(change, data, follow=True)
    assert response.status_code == 200
    body = Article.objects.get(pk=article.pk).body
    assert "<script" not in body and "onerror" not in body and "<h2>标题</h2>" in body


def test_an_image_uploaded_in_the_editor_belongs_to_the_article_and_stays_in_its_body(client, chen, article):
    client.force_login(chen)
    response = client.post(upload_url(article), {"image": image_file(), "caption": "小区外景"})
    assert response.status_code == 201
    answer = json.loads(response.content)
    image = ArticleImage.objects.get(pk=answer["id"])
    assert image.article == article and image.caption == "小区外景" and image.width == 480
    assert answer["url"] == image.url
    # What the editor then saves keeps the image: it is the article's own.
    from gongzufang.services.articles import article_set_body

    article_set_body(article=article, body=f'<p><img src="{answer["url"]}" alt="小区外景"></p>')
    article.refresh_from_db()
    assert f'src="{image.url}"' in article.body


def test_a_fake_image_is_refused_with_a_message(client, chen, article):
    client.force_login(chen)
    fake = SimpleUploadedFile("a.png", b"GIF89a not an image" * 20, content_type="image/png")
    response = client.post(upload_url(article), {"image": fake})
    assert response.status_code == 400 and json.loads(response.content)["error"]
    assert not article.images.exists()


def test_upload_is_post_only_and_needs_a_file(client, chen, article):
    client.force_login(chen)
    assert client.get(upload_url(article)).status_code == 405
    assert client.post(upload_url(article), {}).status_code == 400


def test_district_staff_who_may_only_read_articles_cannot_upload(client, dave, article):
    client.force_login(dave)
    assert client.post(upload_url(article), {"image": image_file()}).status_code == 403
    assert not article.images.exists()


def test_applicants_and_visitors_cannot_upload(client, alice, article):
    response = client.post(upload_url(article), {"image": image_file()})
    assert response.status_code == 302 and "/admin/login/" in response.url
    client.force_login(alice)
    response = client.post(upload_url(article), {"image": image_file()})
    assert response.status_code == 302 and "/admin/login/" in response.url
    assert not article.images.exists()


def test_an_unknown_article_answers_404(client, chen):
    client.force_login(chen)
    response = client.post(reverse("admin:gongzufang_article_upload_image", args=[999999]), {"image": image_file()})
    assert response.status_code == 404
