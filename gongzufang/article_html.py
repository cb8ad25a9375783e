"""Sanitising article HTML with nh3 (ammonia, Rust): what a body may contain.

Kept: paragraphs, headings, lists, tables, emphasis, quotes, links and images. Removed: scripts,
styles, frames, forms, event attributes (onerror=…), `javascript:`/`data:` URLs, classes, ids
and inline styles. An <img> survives only when its src is one of *our* article-image URLs
(`/articles/images/<id>/`, optionally limited to the article's own images): pages must never
load anything from outside (the servers have no internet), and an image the portal cannot serve
would show as broken. Absolute URLs to our image view are rewritten to the relative path.
"""

import re
from urllib.parse import urlsplit

import nh3
from django.urls import reverse

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "strong", "b", "em", "i", "u", "s", "sub", "sup",
    "blockquote", "pre", "code", "ul", "ol", "li", "a", "img", "figure", "figcaption",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "span", "div",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
# Removed together with their content, not just the tags.
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math"}
LINK_SCHEMES = {"http", "https", "mailto", "tel"}

# The serialiser double-quotes every attribute value and escapes '"' inside it.
_IMG_TAG = re.compile(r'<img\b(?:[^>"]|"[^"]*")*>')
_QUOTED = re.compile(r'"[^"]*"')
_NUMBER = re.compile(r"^\d{1,4}$")


def image_url_prefix():
    return reverse("article_image", args=[0])[: -len("0/")]


def image_id_from_src(src, prefix=None):
    """The ArticleImage id an <img src> points to, or None if it is not our image URL."""
    prefix = prefix or image_url_prefix()
    parts = urlsplit(src.strip())
    if parts.scheme not in ("", "http", "https") or parts.query or parts.fragment:
        return None
    match = re.fullmatch(re.escape(prefix) + r"(\d{1,18})/", parts.path)
    return int(match.group(1)) if match else None


def sanitize_article_html(html, *, allowed_image_ids=None):
    """Clean `html` for storing and showing. With `allowed_image_ids` (a set), images other than
    those are dropped too (an article shows only its own images, which are served with it)."""
    prefix = image_url_prefix()

    def attribute_filter(tag, attribute, value):
        if tag == "img":
            if attribute == "src":
                image_id = image_id_from_src(value, prefix)
                if image_id is None or (allowed_image_ids is not None and image_id not in allowed_image_ids):
                    return None
                return f"{prefix}{image_id}/"
            if attribute in ("width", "height"):
                return value if _NUMBER.match(value.strip()) else None
        if attribute in ("alt", "title"):
            # No angle brackets in attribute values, so an <img …> tag in the output never
            # contains ">" before its end (see the image pass below).
            return value.replace("<", "＜").replace(">", "＞")
        if attribute in ("colspan", "rowspan", "start"):
            return value if _NUMBER.match(value.strip()) else None
        return value

    cleaned = nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=attribute_filter,
        url_schemes=LINK_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    # nh3 keeps an <img> whose src was removed; drop such images entirely.
    return _IMG_TAG.sub(lambda m: m.group(0) if _has_src(m.group(0)) else "", cleaned).strip()


def _has_src(tag):
    return re.search(r"\ssrc=", _QUOTED.sub('""', tag)) is not None


def image_ids_in(html):
    """Ids of our images referenced by a (sanitised) body, in order of appearance."""
    prefix = image_url_prefix()
    ids = []
    for tag in _IMG_TAG.findall(html or ""):
        src = re.search(r'\bsrc="([^"]*)"', tag)
        image_id = image_id_from_src(src.group(1), prefix) if src else None
        if image_id is not None and image_id not in ids:
            ids.append(image_id)
    return ids


_RISKY = re.compile(r"<\s*(script|style|iframe|object|embed|form|svg)\b|\son\w+\s*=|\b(?:javascript|vbscript|data):", re.I)


def removed_something(raw, cleaned):
    """Whether sanitising dropped something the editor should know about (scripts, event
    attributes, dangerous URLs, images) — not mere re-formatting of the HTML."""
    raw = raw or ""
    return bool(_RISKY.search(raw)) or len(re.findall(r"<img\b", raw, re.I)) > len(_IMG_TAG.findall(cleaned or ""))
