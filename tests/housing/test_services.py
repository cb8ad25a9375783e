"""Writes to the housing stock: every status and listing change is recorded with who, when and why."""

from datetime import date

import pytest

from gongzufang.errors import PortalError, TransitionNotAllowed
from housing import services
from housing.models import Estate, EstateStatusChange, Renovation, Unit, UnitStatusChange
from tests.housing import factories

pytestmark = pytest.mark.django_db


def test_publishing_a_unit_records_who_when_and_why(dave):
    _e, building, _u = factories.stock(units=0)
    unit = factories.unit(building)
    services.unit_publish(unit=unit, actor=dave, opinion="空置房源对外发布")
    assert unit.listing == Unit.Listing.PUBLISHED
    assert unit.published_at is not None
    change = UnitStatusChange.objects.get(unit=unit)
    assert (change.field, change.from_status, change.to_status) == ("listing", "unlisted", "published")
    assert change.actor == dave
    assert change.actor_level == "district"
    assert change.opinion == "空置房源对外发布"
    assert change.created_at is not None


def test_only_a_vacant_unit_can_be_published(dave):
    _e, building, _u = factories.stock(units=0)
    unit = factories.unit(building)
    services.unit_set_status(unit=unit, to_status=Unit.Status.OCCUPIED, actor=dave, opinion="已入住")
    with pytest.raises(TransitionNotAllowed, match="只有空置可配的房屋可以发布"):
        services.unit_publish(unit=unit, actor=dave)
    assert not UnitStatusChange.objects.filter(unit=unit, field="listing").exists()


def test_a_published_unit_cannot_be_published_again(dave):
    _e, _b, (unit,) = factories.stock(units=1)
    with pytest.raises(TransitionNotAllowed, match="已发布"):
        services.unit_publish(unit=unit, actor=dave)


def test_bulk_publish_publishes_the_vacant_and_says_why_it_skipped_the_others(dave):
    _e, building, _u = factories.stock(units=0)
    vacant = [factories.unit(building) for _ in range(3)]
    occupied = factories.unit(building)
    services.unit_set_status(unit=occupied, to_status=Unit.Status.OCCUPIED, actor=dave)
    already = factories.unit(building, published=True)

    result = services.units_publish_bulk(
        units=Unit.objects.filter(building=building), actor=dave, opinion="批量发布"
    )

    assert sorted(result.changed) == sorted(u.pk for u in vacant)
    assert set(result.skipped) == {occupied.pk, already.pk}
    assert "只有空置可配" in result.skipped[occupied.pk]
    assert "已发布" in result.skipped[already.pk]
    logs = UnitStatusChange.objects.filter(unit__in=vacant, field="listing", opinion="批量发布")
    assert logs.count() == 3
    assert all(log.actor == dave for log in logs)
    assert Unit.objects.filter(pk__in=result.changed, listing="published", published_at__isnull=False).count() == 3


def test_bulk_withdraw_records_a_change_per_unit(dave):
    _e, _b, units = factories.stock(units=4)
    result = services.units_withdraw_bulk(units=units[:3], actor=dave, opinion="房源信息核对")
    assert len(result.changed) == 3
    assert UnitStatusChange.objects.filter(field="listing", to_status="withdrawn", opinion="房源信息核对").count() == 3
    assert Unit.objects.filter(listing="published").count() == 1


def test_bulk_transitions_keep_the_row_history(dave):
    _e, _b, units = factories.stock(units=2)
    services.units_withdraw_bulk(units=units, actor=dave, opinion="核对")
    history = Unit.history.filter(id=units[0].pk).order_by("-history_date").first()
    assert history.listing == "withdrawn"
    assert history.history_user == dave


def test_a_unit_that_becomes_occupied_is_withdrawn_and_both_changes_are_recorded(dave):
    _e, _b, (unit,) = factories.stock(units=1)
    services.unit_set_status(unit=unit, to_status=Unit.Status.OCCUPIED, actor=dave, opinion="配租入住")
    unit.refresh_from_db()
    assert (unit.status, unit.listing) == ("occupied", "withdrawn")
    changes = list(UnitStatusChange.objects.filter(unit=unit).order_by("id").values_list("field", "to_status"))
    assert changes[-2:] == [("status", "occupied"), ("listing", "withdrawn")]


def test_a_reserved_unit_stays_listed():
    _e, _b, (unit,) = factories.stock(units=1)
    services.unit_set_status(unit=unit, to_status=Unit.Status.RESERVED, actor=None)
    unit.refresh_from_db()
    assert unit.listing == "published"


def test_status_transitions_follow_the_table(dave):
    _e, _b, (unit,) = factories.stock(units=1)
    services.unit_set_status(unit=unit, to_status=Unit.Status.OCCUPIED, actor=dave)
    with pytest.raises(TransitionNotAllowed, match="已入住"):
        services.unit_set_status(unit=unit, to_status=Unit.Status.OFFLINE, actor=dave)
    with pytest.raises(PortalError):
        services.units_set_status_bulk(units=[unit], to_status="demolished", actor=dave)


def test_estate_publication_is_recorded(dave):
    estate = factories.estate(published=False)
    services.estate_publish(estate=estate, actor=dave, opinion="小区信息齐全")
    services.estate_withdraw(estate=estate, actor=dave, opinion="资料更新")
    rows = list(EstateStatusChange.objects.filter(estate=estate).values_list("to_status", "opinion"))
    assert rows == [("published", "小区信息齐全"), ("unpublished", "资料更新")]
    with pytest.raises(TransitionNotAllowed):
        services.estate_withdraw(estate=estate, actor=dave)


def test_an_estates_district_is_its_streets():
    estate = factories.estate("230604")
    assert estate.district.code == "230604"
    assert Estate.objects.get(pk=estate.pk).district_id == estate.street.district_id


def test_a_change_of_lift_reaches_the_units():
    _e, building, units = factories.stock(units=2)
    building.has_lift = True
    services.building_save(building=building)
    assert Unit.objects.filter(building=building, has_lift=True).count() == 2


def test_a_unit_cannot_be_above_the_top_floor():
    _e, building, _u = factories.stock(units=0)
    with pytest.raises(PortalError, match="超过该楼栋层数"):
        factories.unit(building, floor=building.floors + 1)


def test_renovation_covers_only_the_estates_own_units():
    estate, _b, units = factories.stock(units=3)
    _other, _ob, foreign = factories.stock(units=1)
    record = services.renovation_record(
        estate=estate, title="电气线路改造", started_on=date(2023, 5, 1), units=units,
    )
    assert record.units_count == 3
    with pytest.raises(PortalError):
        services.renovation_record(estate=estate, title="越界", started_on=date(2023, 5, 1), units=foreign)
    assert Renovation.objects.count() == 1
