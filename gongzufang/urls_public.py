"""Public information pages: the 信息浏览 hub, policy articles and their files, the guide."""

from django.urls import path

from gongzufang import views_articles, views_guide
from gongzufang.dashboard import public as public_figures

urlpatterns = [
    path("info/", views_guide.info, name="info"),
    path("articles/", views_articles.article_list, name="article_list"),
    path("articles/<int:pk>/", views_articles.article_detail, name="article_detail"),
    path("articles/<int:pk>/cover/", views_articles.article_cover, name="article_cover"),
    path("articles/images/<int:pk>/", views_articles.article_image, name="article_image"),
    path("articles/attachments/<int:pk>/", views_articles.article_attachment, name="article_attachment"),
    path("guide/", views_guide.guide, name="guide"),
    path("guide/<slug:code>/", views_guide.guide_detail, name="guide_detail"),
    path("figures/", public_figures.figures_page, name="public_figures"),  # 公开数据 (issue 17)
]
