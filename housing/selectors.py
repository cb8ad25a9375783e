"""Reads of the housing stock. The public side sees only published units of published estates.

`unit_search` issues a fixed number of queries whatever the page size: the districts, the estate
choices (only when a district or estate is chosen), a capped count, and the page itself with the
cover photos as sub-selects.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Min, OuterRef, Prefetch, Q, Subquery
from django.http import Http404
from django.utils.translation import gettext as _

from .filtersets import UnitFilterSet
from .models import CENT, Estate, EstatePhoto, Renovation, Unit, UnitPhoto, bedrooms_label

PER_PAGE_DEFAULT = 20
PER_PAGE_MIN = 5
PER_PAGE_MAX = 50
# Counting every match of a broad search at 100k units costs more than the page itself; beyond this
# many the page says "more than N" and asks for narrower filters (see docs/benchmarks.md).
COUNT_CAP = 1000


def public_estates():
    return Estate.objects.filter(is_published=True)


def public_units():
    """Units a visitor may see: published, in a published estate."""
    return Unit.objects.filter(listing=Unit.Listing.PUBLISHED, estate__is_published=True)


def _with_covers(queryset):
    unit_cover = UnitPhoto.objects.filter(unit=OuterRef("pk")).order_by("sort_order", "id").values("id")[:1]
    estate_cover = (
        EstatePhoto.objects.filter(estate=OuterRef("estate_id")).order_by("sort_order", "id").values("id")[:1]
    )
    return queryset.annotate(unit_cover_id=Subquery(unit_cover), estate_cover_id=Subquery(estate_cover))


@dataclass
class UnitSearch:
    filterset: UnitFilterSet
    units: list
    total: int
    more_than_total: bool
    page: int
    num_pages: int
    per_page: int
    notices: list = field(default_factory=list)
    estate_choices: list = field(default_factory=list)

    @property
    def form(self):
        return self.filterset.form

    @property
    def districts(self):
        return self.filterset.districts

    @property
    def has_previous(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.num_pages

    @property
    def first_index(self):
        return (self.page - 1) * self.per_page + 1 if self.units else 0

    @property
    def last_index(self):
        return (self.page - 1) * self.per_page + len(self.units)


def _positive_int(raw, default, *, minimum=1, maximum=None):
    """(value, ok): the integer in `raw` within the bounds, or the default and False."""
    if raw in (None, ""):
        return default, True
    text = str(raw).strip()
    if not text.isdigit() or len(text) > 9:
        return default, False
    value = int(text)
    if value < minimum or (maximum is not None and value > maximum):
        return default, False
    return value, True


def unit_search(params, *, queryset=None, per_page=None) -> UnitSearch:
    """Filter, sort and paginate public units from query-string `params` (a QueryDict or dict).

    Never raises on bad input: invalid filters are reported on the form and ignored, a page number
    out of range shows the nearest page with a notice.
    """
    base = public_units() if queryset is None else queryset
    filterset = UnitFilterSet(params, queryset=base)
    notices = []
    if filterset.errors:
        notices.append(_("部分筛选条件无效，已忽略，请按提示修改。"))
    filtered = filterset.qs

    if per_page is None:
        per_page, ok = _positive_int(params.get("per_page"), PER_PAGE_DEFAULT, minimum=PER_PAGE_MIN, maximum=PER_PAGE_MAX)
        if not ok:
            notices.append(_("每页条数应为 %(lo)s 到 %(hi)s，已按 %(n)s 条显示。") % {
                "lo": PER_PAGE_MIN, "hi": PER_PAGE_MAX, "n": PER_PAGE_DEFAULT})
    page, ok = _positive_int(params.get("page"), 1)
    if not ok:
        notices.append(_("页码无效，已显示第 1 页。"))

    counted = filtered.order_by().values("pk")[: COUNT_CAP + 1].count()
    more = counted > COUNT_CAP
    total = min(counted, COUNT_CAP)
    num_pages = max(1, -(-total // per_page))
    if page > num_pages:
        if more:
            notices.append(_("结果超过 %(cap)s 套，只能翻阅前 %(cap)s 套，请增加筛选条件。") % {"cap": COUNT_CAP})
        else:
            notices.append(_("页码超出范围，已显示最后一页。"))
        page = num_pages

    offset = (page - 1) * per_page
    units = list(
        _with_covers(filtered.select_related("estate", "building"))[offset: offset + per_page]
    )

    estate_choices = _estate_choices(filterset)
    return UnitSearch(
        filterset=filterset, units=units, total=total, more_than_total=more, page=page, num_pages=num_pages,
        per_page=per_page, notices=notices, estate_choices=estate_choices,
    )


def _estate_choices(filterset):
    """Estates to offer in the estate select: those of the chosen district, plus the chosen estate.
    Without a district there are hundreds of estates; the select then asks for a district first."""
    data = filterset.form.cleaned_data
    district_code, estate_id = data.get("district"), data.get("estate")
    district_id = filterset._district_ids.get(district_code) if district_code else None
    if not district_id and not estate_id:
        return []
    condition = Q()
    if district_id:
        condition |= Q(district_id=district_id)
    if estate_id:
        condition |= Q(pk=int(estate_id))
    return list(public_estates().filter(condition).order_by("name").values_list("pk", "name"))


def unit_for_public(pk) -> Unit:
    """A published unit with what its page shows, or 404."""
    queryset = (
        public_units()
        .select_related("estate__district", "estate__street", "building")
        .prefetch_related(
            Prefetch("photos", queryset=UnitPhoto.objects.order_by("sort_order", "id")),
            Prefetch("estate__photos", queryset=EstatePhoto.objects.order_by("sort_order", "id")),
            Prefetch("estate__renovations", queryset=Renovation.objects.order_by("-started_on", "-id")),
        )
    )
    try:
        return queryset.get(pk=pk)
    except (Unit.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def estate_for_public(pk) -> Estate:
    queryset = public_estates().select_related("district", "street").prefetch_related(
        Prefetch("photos", queryset=EstatePhoto.objects.order_by("sort_order", "id")),
        Prefetch("renovations", queryset=Renovation.objects.order_by("-started_on", "-id")),
    )
    try:
        return queryset.get(pk=pk)
    except (Estate.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _yuan(value) -> Decimal:
    # SQLite's MIN() over a decimal column comes back as a float-like text (157.300000000000).
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def estate_listing_summary(estate: Estate) -> dict:
    """Published units of the estate: how many, by bedrooms, and the lowest rent of each."""
    rows = (
        Unit.objects.filter(estate=estate, listing=Unit.Listing.PUBLISHED)
        .values("bedrooms").annotate(n=Count("id"), lowest=Min("monthly_rent")).order_by("bedrooms")
    )
    rows = [{**row, "label": bedrooms_label(row["bedrooms"]), "lowest": _yuan(row["lowest"])} for row in rows]
    return {"total": sum(r["n"] for r in rows), "by_bedrooms": rows, "buildings": estate.buildings.count()}


def photo_for_viewer(model, pk, user):
    """(photo, public): a photo of a published estate or unit, which anyone may see; staff also see
    photos of their own district's unpublished stock (public=False). Anything else is 404."""
    if model is EstatePhoto:
        public = Q(estate__is_published=True)
    else:
        public = Q(unit__listing=Unit.Listing.PUBLISHED, unit__estate__is_published=True)
    queryset = model.objects.filter(pk=pk)
    photo = queryset.filter(public).first()
    if photo is not None:
        return photo, True
    if getattr(user, "is_staff", False):
        photo = queryset.for_user(user).first()
    if photo is None:
        raise Http404
    return photo, False


def floor_plan_for_viewer(pk, user):
    """(unit, public) for a unit's floor plan, by the same rule as photos."""
    unit = public_units().filter(pk=pk).exclude(floor_plan="").first()
    if unit is not None:
        return unit, True
    if getattr(user, "is_staff", False):
        unit = Unit.objects.for_user(user).filter(pk=pk).exclude(floor_plan="").first()
    if unit is None:
        raise Http404
    return unit, False


# --- for other apps ------------------------------------------------------------------------------
# What another app (complaints: feedback about an estate or a unit) may ask of the housing stock,
# instead of reaching into its models (the declared exception in pyproject.toml).


def public_estate_choices():
    """Published estates, by district then name, for a choice list."""
    return public_estates().select_related("district").order_by("district__sort_order", "name")


def public_estate(pk) -> Estate | None:
    return public_estates().filter(pk=pk).first()


def unit_in_public_estate(pk) -> Unit | None:
    """A unit of a published estate, listed or not (a tenant's repair is about a let unit)."""
    return Unit.objects.filter(pk=pk, estate__is_published=True).select_related("building").first()


def units_at_address(estate, text) -> list[Unit]:
    """The estate's units that an address as people write it names ("4号楼2单元502", "4栋2单元502室",
    "2-502", "2单元301"): one, none, or several when the building is left out and several have that flat."""
    from .unit_address import UnitAddress, building_key, parse

    text = (text or "").strip()
    exact = list(Unit.objects.filter(estate=estate, number=text).select_related("building"))
    wanted = parse(text)
    if len(exact) == 1 or wanted is None:
        return exact
    found = []
    for unit in Unit.objects.filter(estate=estate, number__contains=wanted.room).select_related("building"):
        own = parse(unit.number)
        if own is None:
            continue
        if wanted.matches(UnitAddress(own.building or building_key(unit.building.name), own.entrance, own.room)):
            found.append(unit)
    return sorted(found, key=lambda u: (u.building.name, u.number))
