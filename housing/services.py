"""Every write to the housing stock. Admin, pages, import and commands call these and nothing else.

Status and listing changes are the model's transitions taken through the one engine
(`gongzufang.workflow.transition_many`): rows locked in primary-key order (two bulk actions cannot
deadlock), scope, source state and guard checked, one `UnitStatusChange` per unit in the same
transaction. A single-unit change is a bulk change of one.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from gongzufang.errors import PortalError, TransitionNotAllowed
from gongzufang.history import change_reason
from gongzufang.parameters import param
from gongzufang.workflow import TransitionResult, actor_level, transition_many

from .models import Building, Estate, EstateStatusChange, Renovation, Unit, monthly_rent_for

Status = Unit.Status
Listing = Unit.Listing

# The transition that reaches each physical status (the sources and guards are on the model).
STATUS_TRANSITION = {
    Status.VACANT: "make_vacant",
    Status.RESERVED: "reserve",
    Status.OCCUPIED: "occupy",
    Status.MAINTENANCE: "start_maintenance",
    Status.OFFLINE: "take_offline",
}
# Moving a listed unit into one of these withdraws it.
WITHDRAW_WHEN = {Status.OCCUPIED, Status.MAINTENANCE, Status.OFFLINE}


# ---------------------------------------------------------------- estates and buildings


def estate_save(*, estate: Estate, actor=None) -> Estate:
    """Create or update an estate; its district is its street's district."""
    if estate.street_id is None:
        raise PortalError(_("请选择小区所在街道/镇。"), fields={"street": _("必填")})
    estate.district_id = estate.street.district_id
    if estate.rent_per_sqm is None:
        estate.rent_per_sqm = param("rent.default_per_sqm", district=estate.district_id)
    estate.save()
    return estate


def estate_create(*, name, street, address, actor=None, **fields) -> Estate:
    return estate_save(estate=Estate(name=name, street=street, address=address, **fields), actor=actor)


@transaction.atomic
def _estate_set_published(*, estate: Estate, published: bool, actor, opinion) -> Estate:
    locked = Estate.objects.select_for_update().get(pk=estate.pk)
    if locked.is_published == published:
        raise TransitionNotAllowed(_("该小区已公开。") if published else _("该小区未公开。"))
    locked.is_published = published
    locked.published_at = timezone.now() if published else locked.published_at
    locked._change_reason = change_reason(opinion)  # the full opinion is in the status-change row
    locked.save(update_fields=["is_published", "published_at", "updated_at"])
    EstateStatusChange.objects.create(
        estate=locked, from_status="published" if not published else "unpublished",
        to_status="published" if published else "unpublished",
        actor=actor, actor_level=actor_level(actor), opinion=str(opinion or ""),
    )
    estate.is_published, estate.published_at = locked.is_published, locked.published_at
    return locked


def estate_publish(*, estate: Estate, actor, opinion="") -> Estate:
    """Show the estate (and its published units) on the public portal."""
    return _estate_set_published(estate=estate, published=True, actor=actor, opinion=opinion)


def estate_withdraw(*, estate: Estate, actor, opinion="") -> Estate:
    """Hide the estate; its units keep their own listing state and reappear when it is republished."""
    return _estate_set_published(estate=estate, published=False, actor=actor, opinion=opinion)


@transaction.atomic
def building_save(*, building: Building, actor=None) -> Building:
    """Create or update a building; a change of lift is copied to its units."""
    building.save()
    Unit.objects.filter(building=building).exclude(has_lift=building.has_lift).update(
        has_lift=building.has_lift, updated_at=timezone.now()
    )
    return building


# ---------------------------------------------------------------- units


def unit_prepare(unit: Unit, *, building: Building | None = None) -> Unit:
    """Set the fields a unit derives from its building and its rent: estate, district, lift, monthly rent.

    Pure (no query when `building` is given with its estate loaded); used before every save.
    """
    building = building or unit.building
    estate = building.estate
    unit.building = building
    unit.estate_id = estate.pk
    unit.district_id = estate.district_id
    unit.has_lift = building.has_lift
    if unit.rent_per_sqm is None:
        unit.rent_per_sqm = estate.rent_per_sqm
    if unit.floor and building.floors and unit.floor > building.floors:
        raise PortalError(
            _("楼层 %(floor)s 超过该楼栋层数 %(floors)s。") % {"floor": unit.floor, "floors": building.floors},
            fields={"floor": _("超过楼栋层数")},
        )
    unit.monthly_rent = monthly_rent_for(unit.area, unit.rent_per_sqm)
    return unit


def unit_save(*, unit: Unit, actor=None) -> Unit:
    """Create or update a unit's descriptive fields. Status and listing change only by transitions."""
    unit_prepare(unit)
    unit.save()
    return unit


def unit_create(*, building: Building, number, floor, area, bedrooms, actor=None, **fields) -> Unit:
    return unit_save(
        unit=Unit(building=building, number=number, floor=floor, area=Decimal(str(area)), bedrooms=bedrooms, **fields),
        actor=actor,
    )


def units_create_bulk(*, units: list[Unit], actor=None, batch_size=2000, with_history=True) -> list[Unit]:
    """Insert many new units at once (seeding, generate_city). Each unit's `building` must be set,
    with its estate loaded; derived fields are computed here as for one unit."""
    for unit in units:
        unit_prepare(unit, building=unit.building)
        if unit.listing == Listing.PUBLISHED and unit.published_at is None:
            unit.published_at = timezone.now()
    if with_history:
        return bulk_create_with_history(units, Unit, batch_size=batch_size, default_user=actor)
    return Unit.objects.bulk_create(units, batch_size=batch_size)


def _ids(units) -> list[int]:
    if isinstance(units, QuerySet):
        return list(units.values_list("pk", flat=True))
    if isinstance(units, Unit):
        return [units.pk]
    return [u.pk if isinstance(u, Unit) else int(u) for u in units]


def _label(choices, value):
    return str(dict(choices).get(value, value))


def _units_transition(*, units, name, actor, opinion) -> TransitionResult:
    """Take transition `name` on each unit that allows it, through the one engine; the row history
    (simple-history) is kept in bulk with the opinion as its reason."""

    def bulk_save(changed, fields):
        bulk_update_with_history(changed, Unit, fields, default_user=actor, default_change_reason=change_reason(opinion))

    result = transition_many(Unit, _ids(units), name, actor=actor, opinion=opinion, bulk_save=bulk_save)
    for pk, reason in result.skipped.items():
        if reason == str(_("记录不存在。")):
            result.skipped[pk] = _("房屋不存在。")
    return result


def units_publish_bulk(*, units, actor, opinion="") -> TransitionResult:
    """Publish units (发布房源). Units that are not vacant, or already published, are skipped with a reason."""
    return _units_transition(units=units, name="publish", actor=actor, opinion=opinion)


def units_withdraw_bulk(*, units, actor, opinion="") -> TransitionResult:
    """Withdraw published units from the public portal."""
    return _units_transition(units=units, name="withdraw", actor=actor, opinion=opinion)


def _single(result: TransitionResult, unit: Unit) -> Unit:
    if unit.pk in result.skipped:
        raise TransitionNotAllowed(result.skipped[unit.pk])
    unit.refresh_from_db()
    return unit


def unit_publish(*, unit: Unit, actor, opinion="") -> Unit:
    return _single(units_publish_bulk(units=[unit], actor=actor, opinion=opinion), unit)


def unit_withdraw(*, unit: Unit, actor, opinion="") -> Unit:
    return _single(units_withdraw_bulk(units=[unit], actor=actor, opinion=opinion), unit)


@transaction.atomic
def units_set_status_bulk(*, units, to_status, actor, opinion="") -> TransitionResult:
    """Change the physical status; a unit that becomes occupied, under maintenance or offline is
    withdrawn from the portal in the same transaction (and that is recorded too)."""
    if to_status not in Status.values:
        raise PortalError(_("无效的房屋状态。"))
    result = _units_transition(units=units, name=STATUS_TRANSITION[Status(to_status)], actor=actor, opinion=opinion)
    if to_status in WITHDRAW_WHEN and result.changed:
        listed = Unit.objects.filter(pk__in=result.changed, listing=Listing.PUBLISHED)
        units_withdraw_bulk(
            units=listed, actor=actor,
            opinion=_("房屋状态变为“%(status)s”，自动撤回发布。") % {"status": _label(Status.choices, to_status)},
        )
    return result


def unit_set_status(*, unit: Unit, to_status, actor, opinion="") -> Unit:
    return _single(units_set_status_bulk(units=[unit], to_status=to_status, actor=actor, opinion=opinion), unit)


# ---------------------------------------------------------------- renovation and maintenance


@transaction.atomic
def renovation_record(
    *, estate: Estate, title, started_on, kind=Renovation.Kind.RENOVATION, finished_on=None, cost=None,
    contractor="", description="", units: Iterable[Unit] | QuerySet | None = None, units_count=None, actor=None,
) -> Renovation:
    """Record a renovation or maintenance job and the units it covered (all of the estate's own)."""
    renovation = Renovation.objects.create(
        estate=estate, kind=kind, title=title, description=description, started_on=started_on,
        finished_on=finished_on, cost=cost, contractor=contractor, units_count=units_count or 0,
    )
    if units is not None:
        ids = _ids(units)
        foreign = Unit.objects.filter(pk__in=ids).exclude(estate=estate).exists()
        if foreign:
            raise PortalError(_("改造记录只能包含本小区的房屋。"))
        renovation.units.add(*ids)
        if units_count is None:
            renovation.units_count = len(ids)
            renovation.save(update_fields=["units_count"])
    return renovation
