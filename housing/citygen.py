"""A realistic city-sized housing stock, built fast with bulk inserts (`manage.py generate_city`).

Deterministic for a given seed. Estates are spread over the districts roughly as the city's stock is
(the urban districts hold most of it), each with a few buildings of six to eighteen floors; most
units are let, about a fifth are vacant and published. Generated rows carry no row history and no
status-change records: they are a starting state, not a sequence of events.

Later issues extend this (applications, leases, bills) by adding steps after `generate_units`.
"""

import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from gongzufang.data.daqing import load_places
from gongzufang.models import Community, District, Street

from .models import (
    Building,
    Estate,
    EstatePhoto,
    EstateStatusChange,
    Renovation,
    Unit,
    UnitPhoto,
    UnitStatusChange,
    monthly_rent_for,
)

# Share of the stock by district (urban districts first); the counties share the rest.
DISTRICT_WEIGHTS = {
    "230602": 22, "230603": 16, "230604": 20, "230605": 10, "230606": 8,
    "230621": 6, "230622": 6, "230623": 6, "230624": 6,
}
NAME_HEADS = [
    "益民", "悦民", "安居", "康乐", "幸福", "和谐", "阳光", "铁人", "石化", "创业", "油田", "银浪", "黎明", "春雷",
    "东湖", "西城", "祥阳", "景园", "乘风", "奋斗", "东风", "富强", "会战", "拥军", "湿地", "兴化", "庆新", "龙岗",
    "杏南", "红岗", "解放", "庆葡", "新华", "正阳", "泰康", "明珠", "学府", "万宝", "世纪", "远望", "华苑", "馨园",
]
NAME_TAILS = ["小区", "苑", "家园", "花园", "公寓", "新村", "佳苑", "雅居", "嘉园", "里"]
ROADS = ["中央大街", "纬二路", "经六街", "建设路", "团结路", "世纪大道", "开发路", "东风路", "西宾路", "龙凤大街"]
FACILITIES = ["社区卫生服务站", "公交站", "超市", "农贸市场", "幼儿园", "小学", "社区食堂", "健身广场", "快递驿站"]
LAYOUTS = {0: "开间", 1: "一室一厅一卫", 2: "两室一厅一卫", 3: "三室一厅一卫"}
AREAS = {0: (26, 36), 1: (36, 50), 2: (50, 62), 3: (62, 80)}
RENOVATIONS = [
    ("电气线路改造", "更换入户线路与配电箱"), ("外立面改造", "外墙保温与涂料翻新"),
    ("门禁对讲系统更换", "单元门更换为可视对讲门禁"), ("供热管网改造", "更换楼内供热管道"),
    ("屋面防水维修", "屋面防水层翻新"), ("电梯维修", "更换曳引机与控制柜"),
]
# vacant 18%, reserved 2%, occupied 75%, maintenance 3%, offline 2%
STATUS_WEIGHTS = [
    (Unit.Status.VACANT, 18), (Unit.Status.RESERVED, 2), (Unit.Status.OCCUPIED, 75),
    (Unit.Status.MAINTENANCE, 3), (Unit.Status.OFFLINE, 2),
]
CHUNK = 5000


@dataclass
class CityReport:
    estates: int = 0
    buildings: int = 0
    units: int = 0
    published_units: int = 0
    renovations: int = 0
    articles: int | None = None
    seconds: dict = field(default_factory=dict)


def _split(total, weights, rng):
    """Split `total` into len(weights) integers proportional to weights (largest remainder)."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    parts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (raw[i] - parts[i], rng.random()), reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _external_fks(models):
    """(model, attname) of every real foreign key from outside the stock into it."""
    found = []
    for model in models:
        # include_hidden: a ForeignKey with related_name="+" (feedback → unit) is still a constraint.
        reverse = [f for f in model._meta.get_fields(include_hidden=True) if f.auto_created and not f.concrete]
        for rel in reverse:
            other = rel.related_model
            if other in models or rel.many_to_many or not getattr(rel.field, "db_constraint", True):
                continue
            found.append((other, rel.field.attname))
    return found


def _tables_referring_to(models):
    """Tables of other apps holding rows that point at the stock (those must not be lost)."""
    return sorted({
        str(other._meta.verbose_name) for other, attname in _external_fks(models)
        if other._base_manager.filter(**{f"{attname}__isnull": False}).exists()
    })


def clear_housing():
    """Delete the whole housing stock (and its history). Refuses, rather than cascades, if rows of
    other apps (leases, offers…) still point at it."""
    models = [
        Renovation.units.through, Renovation.history.model, Renovation, UnitPhoto, UnitStatusChange,
        Unit.history.model, Unit, Building.history.model, Building, EstatePhoto, EstateStatusChange,
        Estate.history.model, Estate,
    ]
    tables = [m._meta.db_table for m in models]
    referring = _tables_referring_to(models)
    if referring:
        names = "、".join(referring)
        raise ValueError(f"其他业务数据仍引用现有房源（{names}），不能清空房源；请在开发或测试库上使用 --clear。")
    # DELETE, children first, not TRUNCATE: PostgreSQL refuses to TRUNCATE a table that another
    # app's table references (feedback → unit), however empty, and CASCADE would empty those.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks of rows written earlier in this transaction fire first.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in tables:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")


def _estate_names(rng, n):
    names, seen = [], set()
    heads, tails = NAME_HEADS[:], NAME_TAILS[:]
    while len(names) < n:
        name = rng.choice(heads) + rng.choice(tails)
        if name in seen:
            for phase in ("二期", "三期", "四期", "五期"):
                if name + phase not in seen:
                    name += phase
                    break
            else:
                name += str(len(names))
        seen.add(name)
        names.append(name)
    return names


def generate_estates(*, n, rng, now) -> list[Estate]:
    districts = list(District.objects.filter(code__in=DISTRICT_WEIGHTS).order_by("sort_order"))
    streets = {}
    for street in Street.objects.filter(district__in=districts).order_by("code"):
        streets.setdefault(street.district_id, []).append(street)
    per_district = _split(n, [DISTRICT_WEIGHTS[d.code] for d in districts], rng)
    names = _estate_names(rng, n)
    estates = []
    for district, count in zip(districts, per_district, strict=True):
        for _ in range(count):
            street = rng.choice(streets[district.pk])
            published = rng.random() < 0.96
            estates.append(Estate(
                name=names[len(estates)], district=district, street=street,
                address=f"{district.name}{street.name}{rng.choice(ROADS)} {rng.randint(1, 300)} 号",
                description="", facilities="\n".join(rng.sample(FACILITIES, rng.randint(2, 5))),
                rent_per_sqm=Decimal(rng.choice(["6.00", "6.50", "7.00", "7.50", "8.00", "8.50", "9.00"])),
                built_year=rng.randint(2006, 2022),
                is_published=published, published_at=now - timedelta(days=rng.randint(30, 1500)) if published else None,
            ))
    Estate.objects.bulk_create(estates, batch_size=CHUNK)
    return list(Estate.objects.order_by("pk"))


def generate_units(*, estates, total, rng, now) -> tuple[int, int, int]:
    """Buildings and units for the estates; returns (buildings, units, published)."""
    sizes = _split(total, [rng.uniform(0.4, 1.6) for _ in estates], rng)
    buildings = []
    plan = []  # (building index, estate, count)
    for estate, size in zip(estates, sizes, strict=True):
        if size == 0:
            continue
        floors, lift = rng.choice([(6, False), (6, False), (7, False), (11, True), (18, True)])
        per_building = rng.choice([48, 60, 72, 96]) if floors < 10 else rng.choice([88, 132, 176])
        n_buildings = max(1, -(-size // per_building))
        counts = _split(size, [1] * n_buildings, rng)
        for i, count in enumerate(counts, start=1):
            buildings.append(Building(estate=estate, name=f"{i}号楼", floors=floors, has_lift=lift))
            plan.append((len(buildings) - 1, estate, count))
    Building.objects.bulk_create(buildings, batch_size=CHUNK)

    statuses = [s for s, _ in STATUS_WEIGHTS]
    status_weights = [w for _, w in STATUS_WEIGHTS]
    made = published = 0
    batch = []
    newest = now - timedelta(minutes=1)
    for index, estate, count in plan:
        building = buildings[index]
        per_floor = -(-count // building.floors)
        for k in range(count):
            floor, pos = k // per_floor + 1, k % per_floor + 1
            bedrooms = rng.choices((0, 1, 2, 3), weights=(8, 50, 32, 10))[0]
            low, high = AREAS[bedrooms]
            area = Decimal(rng.randint(low * 100, high * 100)) / 100
            status = rng.choices(statuses, weights=status_weights)[0]
            listed = status == Unit.Status.RESERVED or (status == Unit.Status.VACANT and rng.random() < 0.9)
            if listed:
                listing = Unit.Listing.PUBLISHED
            elif status == Unit.Status.OCCUPIED and rng.random() < 0.3:
                listing = Unit.Listing.WITHDRAWN
            else:
                listing = Unit.Listing.UNLISTED
            batch.append(Unit(
                building_id=building.pk, estate_id=estate.pk, district_id=estate.district_id,
                number=f"{(pos - 1) // 2 + 1}单元{floor}{(pos - 1) % 2 + 1:02d}", floor=floor, area=area,
                bedrooms=bedrooms, layout=LAYOUTS[bedrooms],
                orientation=rng.choice(("sn", "sn", "sn", "s", "e", "w", "ew")),
                has_lift=building.has_lift, furnished=rng.random() < 0.12,
                rent_per_sqm=estate.rent_per_sqm, monthly_rent=monthly_rent_for(area, estate.rent_per_sqm),
                status=status, listing=listing,
                published_at=newest - timedelta(seconds=rng.randint(0, 730 * 86400)) if listing != Unit.Listing.UNLISTED else None,
                created_at=now, updated_at=now,
            ))
            published += listing == Unit.Listing.PUBLISHED
            if len(batch) >= CHUNK:
                Unit.objects.bulk_create(batch, batch_size=CHUNK)
                made += len(batch)
                batch = []
    if batch:
        Unit.objects.bulk_create(batch, batch_size=CHUNK)
        made += len(batch)
    return len(buildings), made, published


def generate_renovations(*, estates, rng) -> int:
    rows = []
    for estate in estates:
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            title, description = rng.choice(RENOVATIONS)
            start = date(rng.randint(2015, 2025), rng.randint(1, 12), rng.randint(1, 28))
            rows.append(Renovation(
                estate=estate, kind=Renovation.Kind.RENOVATION if rng.random() < 0.6 else Renovation.Kind.MAINTENANCE,
                title=title, description=description, started_on=start,
                finished_on=start + timedelta(days=rng.randint(20, 200)),
                cost=Decimal(rng.randint(50, 5000) * 1000), contractor="大庆安居建设工程有限公司（演示）",
                units_count=rng.randint(20, 300),
            ))
    Renovation.objects.bulk_create(rows, batch_size=CHUNK)
    return len(rows)


def generate_articles(n, rng):
    """Policy articles, when the articles part provides a generator (gongzufang.articles_demo).
    Returns how many were made, or None when articles are not available."""
    try:
        from gongzufang import articles_demo
    except ImportError:
        return None
    generator = getattr(articles_demo, "generate_articles", None)
    if generator is None:
        return None
    return generator(n, rng)


def generate_city(*, units=100_000, estates=500, seed=2026, clear=False, articles=300, log=print) -> CityReport:
    if units < 0 or estates < 1:
        raise ValueError("units must be ≥ 0 and estates ≥ 1")
    rng = random.Random(seed)
    # A fixed clock, so the same seed gives the same rows whatever the day.
    now = timezone.make_aware(datetime(2026, 1, 1, 9, 0))
    report = CityReport()
    started = time.perf_counter()

    def lap(name):
        nonlocal started
        report.seconds[name] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()

    with transaction.atomic():
        load_places(District, Street, Community)
        if clear:
            clear_housing()
            lap("clear")
        elif Estate.objects.exists():
            raise ValueError("已有房源数据；如需重新生成，请加 --clear（将删除全部房源数据）。")
        made = generate_estates(n=estates, rng=rng, now=now)
        report.estates = len(made)
        lap("estates")
        report.buildings, report.units, report.published_units = generate_units(
            estates=made, total=units, rng=rng, now=now
        )
        lap("units")
        report.renovations = generate_renovations(estates=made, rng=rng)
        lap("renovations")
        report.articles = generate_articles(articles, rng) if articles else 0
        lap("articles")
    if connection.vendor == "postgresql":
        # Statistics for the planner and a visibility map for index-only scans, as autovacuum
        # would leave them on a live database.
        # VACUUM cannot run inside a transaction (a caller's atomic block, a test): ANALYZE then.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        with connection.cursor() as cursor:
            cursor.execute(f"{command} housing_estate, housing_building, housing_unit")
        lap("vacuum" if command.startswith("VACUUM") else "analyze")
    log(
        f"生成完成：小区 {report.estates} 个，楼栋 {report.buildings} 栋，房屋 {report.units} 套"
        f"（已发布 {report.published_units} 套），改造维修记录 {report.renovations} 条，"
        + ("政策资讯：未安装资讯生成器。" if report.articles is None else f"政策资讯 {report.articles} 篇。")
    )
    log("用时（秒）：" + "，".join(f"{k} {v}" for k, v in report.seconds.items()))
    return report
