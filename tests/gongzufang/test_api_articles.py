"""GET /api/v1/articles/: published policy articles only (city-wide), the body and attachments in the
detail, filters by category, title and date."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import api_client_for
from tests.gongzufang.articles_helpers import article_with_images

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(api_a):
    return api_client_for(api_a)


def test_only_published_articles_whose_time_has_come(api, chen):
    shown = article_with_images(title="已发布", images=0)
    draft = article_with_images(title="草稿", images=0, publish=False)
    scheduled = article_with_images(title="定时", images=0, published_at=timezone.now() + timedelta(days=2))
    rows = api.get("/api/v1/articles/").json()["results"]
    assert [r["id"] for r in rows] == [shown.pk]
    for hidden in (draft, scheduled):
        response = api.get(f"/api/v1/articles/{hidden.pk}/")
        assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_the_list_is_light_and_the_detail_carries_body_and_attachments(api):
    article = article_with_images(title="管理办法", images=1, attachment=True)
    row = api.get("/api/v1/articles/").json()["results"][0]
    assert "body" not in row and "attachments" not in row
    assert row["category"] == "policy" and row["url"].endswith(f"/articles/{article.pk}/")
    assert row["cover_url"].startswith("http://testserver/")
    detail = api.get(f"/api/v1/articles/{article.pk}/").json()
    assert "正文第一段" in detail["body"]
    assert [a["title"] for a in detail["attachments"]] == ["管理办法全文"]
    assert detail["attachments"][0]["size"] > 0 and detail["attachments"][0]["url"].startswith("http://testserver/")


def test_filters_by_category_title_and_publication_date(api):
    old = article_with_images(title="旧通知", code="notice", images=0, cover=False,
                              published_at=timezone.now() - timedelta(days=30))
    new = article_with_images(title="新政策解读", code="policy", images=0, cover=False)

    def ids(**params):
        response = api.get("/api/v1/articles/", params)
        assert response.status_code == 200, response.content
        return [r["id"] for r in response.json()["results"]]

    assert ids(category="notice") == [old.pk]
    assert ids(title="政策") == [new.pk]
    since = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert ids(published_from=since) == [new.pk]
    assert ids(published_to=since) == [old.pk]
    assert ids() == [new.pk, old.pk]  # newest first
    assert ids(ordering="published_at") == [old.pk, new.pk]
    bad = api.get("/api/v1/articles/", {"published_from": "last week"})
    assert bad.status_code == 400 and "published_from" in bad.json()["fields"]


def test_articles_cannot_be_written(api):
    assert api.post("/api/v1/articles/", {"title": "x"}, format="json").status_code == 405
