"""Many active leases at once, for the bill run's tests and benchmark: 存量合同 (no offer), each on a
unit of its own, written with bulk inserts (the services would take hours for 200,000)."""

import itertools
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from housing.models import Unit
from rent.models import Lease, LeaseStatus
from tests import factories
from tests.housing import factories as housing

_n = itertools.count(1)


def active_leases(count: int, *, district_code="230602", start_on=date(2026, 1, 1), batch=5000,
                  prorated_every=0) -> list[int]:
    """`count` active leases; every `prorated_every`-th one starts on the 16th (its first bill is
    prorated). Returns their ids."""
    estate = housing.estate(district_code)
    building = housing.building(estate, floors=30)
    template = housing.unit(building, number=f"T{next(_n)}")
    tenant = factories.UserFactory()
    ids = []
    tag = next(_n)
    for first in range(0, count, batch):
        size = min(batch, count - first)
        with transaction.atomic():
            units = Unit.objects.bulk_create([
                Unit(building=building, estate=estate, district_id=template.district_id, number=f"B{tag}-{first + i}",
                     floor=1 + (first + i) % 30, area=template.area, bedrooms=1, rent_per_sqm=template.rent_per_sqm,
                     monthly_rent=template.monthly_rent, status=Unit.Status.OCCUPIED)
                for i in range(size)], batch_size=batch)
            leases = []
            for i, unit in enumerate(units):
                n = first + i
                start = start_on + timedelta(days=15) if prorated_every and n % prorated_every == 0 else start_on
                leases.append(Lease(
                    number=f"BULK{tag}-{n:07d}", tenant=tenant, tenant_name="存量承租人", unit=unit,
                    district_id=unit.district_id, category="low_income", start_on=start, end_on=date(2029, 12, 31),
                    term_years=3, area=unit.area, rent_per_sqm=unit.rent_per_sqm, coefficient=Decimal("0.50"),
                    monthly_rent=Decimal("180.00"), deposit_months=2, deposit=Decimal("360.00"),
                    status=LeaseStatus.ACTIVE, verification_code=f"bulk{tag}x{n}"))
            ids += [lease.pk for lease in Lease.objects.bulk_create(leases, batch_size=batch)]
    return ids
