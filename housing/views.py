"""Public pages of the housing stock (房源查看): search, unit, estate, and their photos.

Thin: parse the request, call one selector, render. Only published units of published estates are shown.
"""

import mimetypes
from html import escape

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from . import selectors
from .filtersets import ACCESS_CHOICES, BEDROOM_CHOICES, SORT_CHOICES
from .models import BEDROOM_LABELS, EstatePhoto, Unit, UnitPhoto, bedrooms_label

PHOTO_CACHE_SECONDS = 3600


@require_GET
def unit_search(request):
    search = selectors.unit_search(request.GET)
    # Links keep only the filters that validated, so an invalid value does not follow the visitor.
    kept = {k: v for k, v in search.form.cleaned_data.items() if v not in (None, "", False)}
    if kept.get("furnished"):
        kept["furnished"] = "1"
    if search.per_page != selectors.PER_PAGE_DEFAULT:
        kept["per_page"] = search.per_page
    query = urlencode(kept)
    # Labels looked up once per page, not through get_FOO_display() (and gettext) per card.
    names = {pk: name for pk, _code, name in search.districts}
    orientations = {code: str(label) for code, label in Unit.Orientation.choices}
    bedrooms = {n: str(label) for n, label in BEDROOM_LABELS.items()}
    for unit in search.units:
        unit.district_name = names.get(unit.district_id, "")
        unit.orientation_label = orientations.get(unit.orientation, "")
        unit.rooms_label = bedrooms.get(unit.bedrooms) or bedrooms_label(unit.bedrooms)
    values = {name: str(search.form[name].value() or "") for name in search.form.fields}
    context = {
        "values": values,
        # Built here rather than by a template loop: a district can have a hundred estates, and
        # the template engine would spend more on them than the database on the whole search.
        "district_options": _options(((code, name) for _pk, code, name in search.districts), values["district"]),
        "estate_options": _options(search.estate_choices, values["estate"]),
        "bedrooms_options": _options(BEDROOM_CHOICES, values["bedrooms"]),
        "access_options": _options(ACCESS_CHOICES, values["access"]),
        "sort_options": _options(SORT_CHOICES, search.filterset.current_sort),
        "errors": search.form.errors,
        # URL prefixes reversed once, not twice per card.
        "unit_prefix": reverse("housing:unit_detail", args=[0])[:-2],
        "unit_photo_prefix": reverse("housing:unit_photo", args=[0])[:-2],
        "estate_photo_prefix": reverse("housing:estate_photo", args=[0])[:-2],
        "search": search,
        "form": search.form,
        "query": query,
        "page_prefix": f"?{query}&page=" if query else "?page=",
    }
    return render(request, "housing/unit_search.html", context)


def _options(choices, selected):
    # Plain escaping (html.escape) is many times cheaper than format_html per option.
    return mark_safe("".join(
        f'<option value="{escape(str(value))}"{" selected" if str(value) == selected else ""}>{escape(str(label))}</option>'
        for value, label in choices
    ))  # noqa: S308 — every value and label is escaped above


@require_GET
def unit_detail(request, pk):
    unit = selectors.unit_for_public(pk)
    photos = list(unit.photos.all())
    estate_photos = list(unit.estate.photos.all())
    return render(request, "housing/unit_detail.html", {
        "unit": unit, "estate": unit.estate, "photos": photos, "estate_photos": estate_photos,
        "renovations": list(unit.estate.renovations.all()),
    })


@require_GET
def estate_detail(request, pk):
    estate = selectors.estate_for_public(pk)
    return render(request, "housing/estate_detail.html", {
        "estate": estate, "photos": list(estate.photos.all()), "renovations": list(estate.renovations.all()),
        "summary": selectors.estate_listing_summary(estate),
    })


def _image_response(field_file, public):
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    content_type = mimetypes.guess_type(field_file.name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    # Staff previews of unpublished stock must not be kept by shared caches.
    response["Cache-Control"] = f"public, max-age={PHOTO_CACHE_SECONDS}" if public else "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


@require_GET
def estate_photo(request, pk):
    photo, public = selectors.photo_for_viewer(EstatePhoto, pk, request.user)
    return _image_response(photo.image, public)


@require_GET
def unit_photo(request, pk):
    photo, public = selectors.photo_for_viewer(UnitPhoto, pk, request.user)
    return _image_response(photo.image, public)


@require_GET
def floor_plan(request, pk):
    unit, public = selectors.floor_plan_for_viewer(pk, request.user)
    return _image_response(unit.floor_plan, public)
