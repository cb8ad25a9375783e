"""City-scale articles for generate_city: published, spread over time, listed on the public page."""

import random

import pytest

from gongzufang.articles_demo import generate_articles
from gongzufang.models import Article

pytestmark = pytest.mark.django_db


def test_generates_published_articles_in_every_category(client):
    assert generate_articles(40, random.Random(7)) == 40
    articles = Article.objects.all()
    assert articles.count() == 40
    assert {a.status for a in articles} == {Article.Status.PUBLISHED}
    assert articles.values("category").distinct().count() == 4
    assert "12345" in articles.first().body
    response = client.get("/articles/")
    assert response.status_code == 200


def test_the_same_seed_gives_the_same_titles():
    generate_articles(10, random.Random(3))
    first = list(Article.objects.order_by("id").values_list("title", flat=True))
    Article.objects.all().delete()
    generate_articles(10, random.Random(3))
    assert list(Article.objects.order_by("id").values_list("title", flat=True)) == first
