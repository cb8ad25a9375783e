"""Template tags of the public information pages, for pages owned elsewhere (the home page)."""

from django import template

from gongzufang.selectors.articles import latest_articles
from gongzufang.selectors.guide import assistance_forms

register = template.Library()


@register.inclusion_tag("info/_home_block.html")
def home_information(limit=5):
    """The home page's block: the forms of assistance with their categories, the latest articles,
    and links to the article list, the guide and the 信息浏览 hub (three queries)."""
    return {"forms": assistance_forms(), "latest": latest_articles(limit)}
