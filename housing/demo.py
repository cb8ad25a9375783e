"""Demo housing stock for `seed_demo`: the city's own story in small.

- 益民小区: 208 units rewired (电气线路改造);
- 悦民苑: 270 units given new façades and intercom doors (外立面改造及门禁对讲);
- 918 units fully furnished (拎包入住) across the newer estates.

Names of contractors and exact costs are illustrative. Idempotent: an estate that exists is left alone,
except that pictures it lacks are drawn (an estate photo, and for every unit a room photo and a floor
plan, one drawing per estate and layout shared by its units).
"""

import io
import random
from datetime import date
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw, ImageFont

from gongzufang.models import Street, User

from . import services
from .models import Building, Estate, EstatePhoto, Unit, UnitPhoto, bedrooms_label, upload_floor_plan

# name, district, street, address, rent/㎡, built, buildings, floors, lift, units, furnished, description, facilities
ESTATES = [
    ("益民小区", "230602", "拥军街道", "萨尔图区拥军街道益民路 18 号", "7.50", 2009, 4, 6, False, 208, 0,
     "萨尔图区较早建成的公租房小区，2023 年完成全部 208 户电气线路改造。", "社区卫生服务站\n公交站（益民路）\n农贸市场\n小学"),
    ("悦民苑", "230602", "东风街道", "萨尔图区东风街道悦民街 6 号", "8.00", 2011, 5, 6, False, 270, 0,
     "2024 年完成 270 户外立面改造，单元门更换为可视对讲门禁。", "社区服务中心\n公交站\n超市\n幼儿园"),
    ("湿地家园", "230603", "湿地街道", "龙凤区湿地街道湿地路 99 号", "8.50", 2016, 4, 11, True, 360, 360,
     "全部房屋配齐家具家电，拎包入住；临近龙凤湿地公园。", "湿地公园\n公交站\n社区食堂\n卫生院"),
    ("西宾公寓", "230604", "西宾街道", "让胡路区西宾街道西宾路 21 号", "8.50", 2017, 3, 11, True, 300, 300,
     "面向新就业无房职工和外来务工人员，拎包入住。", "地铁规划站点\n公交枢纽\n便利店"),
    ("杏南佳苑", "230605", "杏南街道", "红岗区杏南街道杏南大街 8 号", "7.80", 2015, 4, 6, False, 240, 240,
     "多层住宅，配齐家具家电。", "社区卫生服务站\n学校\n菜市场"),
    ("庆葡小区", "230606", "庆葡街道", "大同区庆葡街道庆葡路 3 号", "6.50", 2012, 2, 6, False, 120, 18,
     "", "超市\n公交站"),
    ("肇州镇公租房小区", "230621", "肇州镇", "肇州县肇州镇正阳街 15 号", "5.50", 2013, 2, 6, False, 96, 0,
     "", "卫生院\n小学"),
]

LAYOUTS = {0: "开间", 1: "一室一厅一卫", 2: "两室一厅一卫", 3: "三室一厅一卫"}
DEMO_CONTRACTOR = "大庆安居建设工程有限公司（演示）"


def _photo(seed: int) -> ContentFile:
    """A simple drawn picture of blocks of flats, so pages have something to show offline."""
    rng = random.Random(seed)
    image = Image.new("RGB", (800, 500), (200 + rng.randint(0, 40), 220, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 400, 800, 500], fill=(120, 160, 110))
    x = 40
    while x < 760:
        w, h = rng.randint(90, 150), rng.randint(180, 330)
        colour = (rng.randint(170, 230), rng.randint(120, 190), rng.randint(100, 160))
        draw.rectangle([x, 400 - h, x + w, 400], fill=colour, outline=(90, 90, 90))
        for wy in range(400 - h + 15, 390, 28):
            for wx in range(x + 10, x + w - 15, 24):
                draw.rectangle([wx, wy, wx + 12, wy + 14], fill=(240, 240, 200))
        x += w + rng.randint(15, 40)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return ContentFile(out.getvalue(), name=f"demo-{seed}.jpg")


CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"  # Debian fonts-wqy-microhei, if installed


def _font(size):
    try:
        return ImageFont.truetype(CJK_FONT, size)
    except OSError:
        return None  # without a Chinese font the drawings carry no words


def _jpeg(image, name) -> ContentFile:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=75)
    return ContentFile(out.getvalue(), name=name)


def _room_photo(seed: int, bedrooms: int) -> ContentFile:
    """A drawn room: floor, window, a bed or sofa; different per estate and layout."""
    rng = random.Random(seed * 10 + bedrooms)
    image = Image.new("RGB", (640, 400), (236, 230, 218))
    draw = ImageDraw.Draw(image)
    draw.polygon([(0, 400), (640, 400), (520, 280), (120, 280)], fill=(181, 140, 98))
    draw.rectangle([220, 60, 420, 220], fill=(170, 210, 240), outline=(255, 255, 255), width=8)
    draw.line([320, 60, 320, 220], fill=(255, 255, 255), width=6)
    colour = (rng.randint(60, 160), rng.randint(90, 170), rng.randint(120, 200))
    draw.rectangle([90, 250, 300, 330], fill=colour)  # bed or sofa
    draw.rectangle([90, 225, 130, 330], fill=tuple(c - 40 for c in colour))
    draw.rectangle([430, 220, 540, 330], fill=(120, 92, 64))  # wardrobe
    font = _font(26)
    if font:
        draw.text((24, 20), f"{bedrooms_label(bedrooms)} 室内（演示）", fill=(70, 70, 70), font=font)
    return _jpeg(image, f"demo-room-{seed}-{bedrooms}.jpg")


def _floor_plan(bedrooms: int, layout: str) -> ContentFile:
    """A plain floor plan: the living room, `bedrooms` bedrooms, kitchen and bathroom."""
    image = Image.new("RGB", (640, 420), "white")
    draw = ImageDraw.Draw(image)
    font = _font(22)
    wall = (60, 60, 60)
    rooms = [("客厅", (20, 20, 380, 260))]
    width = 600 // max(bedrooms, 1)
    for i in range(bedrooms):
        rooms.append(("卧室" if bedrooms == 1 else f"卧室{i + 1}", (20 + i * width, 260, 20 + (i + 1) * width, 400)))
    if bedrooms == 0:
        rooms[0] = ("起居/卧室", (20, 20, 380, 400))
    rooms += [("厨房", (380, 20, 620, 140)), ("卫生间", (380, 140, 620, 260))]
    if bedrooms == 0:
        rooms.append(("阳台", (380, 260, 620, 400)))
    for name, box in rooms:
        draw.rectangle(box, outline=wall, width=6)
        if font:
            draw.text(((box[0] + box[2]) / 2, (box[1] + box[3]) / 2), name, fill=wall, font=font, anchor="mm")
    if font:
        draw.text((24, 24), f"{layout}（演示）", fill=(120, 120, 120), font=_font(18))
    return _jpeg(image, f"demo-plan-{bedrooms}.jpg")


def _pictures(estate, index):
    """Whatever pictures the estate and its units lack: idempotent, and cheap on a second run."""
    if not estate.photos.exists():
        EstatePhoto.objects.create(estate=estate, image=_photo(index), caption=f"{estate.name}外景")
    for bedrooms in Unit.objects.filter(estate=estate).values_list("bedrooms", flat=True).distinct().order_by():
        of_layout = Unit.objects.filter(estate=estate, bedrooms=bedrooms)
        without_photo = list(of_layout.filter(photos__isnull=True).values_list("pk", flat=True))
        if without_photo:
            first = UnitPhoto(unit_id=without_photo[0], caption=f"{bedrooms_label(bedrooms)}室内（演示图）")
            first.image.save("room.jpg", _room_photo(index, bedrooms), save=True)
            # The other units of this layout show the same drawing: one file, many rows.
            UnitPhoto.objects.bulk_create(
                UnitPhoto(unit_id=pk, image=first.image.name, width=first.width, height=first.height,
                          caption=first.caption)
                for pk in without_photo[1:]
            )
        if of_layout.filter(floor_plan="").exists():
            name = default_storage.save(
                upload_floor_plan(None, "plan.jpg"), _floor_plan(bedrooms, LAYOUTS.get(bedrooms, ""))
            )
            of_layout.filter(floor_plan="").update(floor_plan=name)


def _units_for(estate, buildings, total, furnished, rng):
    per_building = -(-total // len(buildings))
    units = []
    for building in buildings:
        per_floor = -(-per_building // building.floors)
        slots = [(f, p) for f in range(1, building.floors + 1) for p in range(1, per_floor + 1)]
        for floor, pos in slots[: min(per_building, total - len(units))]:
            bedrooms = rng.choices([0, 1, 2, 3], weights=[1, 5, 3, 1])[0]
            area = Decimal(str(rng.choice({0: [28, 32, 35], 1: [38, 42, 45, 50], 2: [55, 58, 60], 3: [65, 70]}[bedrooms])))
            area += Decimal(rng.randint(0, 99)) / 100
            units.append(Unit(
                building=building, number=f"{(pos - 1) // 2 + 1}单元{floor}{(pos - 1) % 2 + 1:02d}",
                floor=floor, area=area, bedrooms=bedrooms, layout=LAYOUTS[bedrooms],
                orientation=rng.choice(["sn", "sn", "s", "e", "w"]),
            ))
    for unit in rng.sample(units, furnished):
        unit.furnished = True
    return units


def seed():
    rng = random.Random(2026)
    actor = User.objects.filter(username="admin").first()
    for index, (name, code, street_name, address, rent, built, n_buildings, floors, lift, total, furnished,
                description, facilities) in enumerate(ESTATES):
        street = Street.objects.filter(district__code=code, name=street_name).first()
        if street is None:
            continue
        existing = Estate.objects.filter(district__code=code, name=name).first()
        if existing is not None:
            _pictures(existing, index)
            continue
        estate = services.estate_create(
            name=name, street=street, address=address, rent_per_sqm=Decimal(rent), built_year=built,
            description=description, facilities=facilities, actor=actor,
        )
        buildings = [
            services.building_save(building=Building(estate=estate, name=f"{i}号楼", floors=floors, has_lift=lift))
            for i in range(1, n_buildings + 1)
        ]
        for building in buildings:
            building.estate = estate
        services.units_create_bulk(units=_units_for(estate, buildings, total, furnished, rng), actor=actor)
        ids = [u.pk for u in Unit.objects.filter(estate=estate).order_by("pk")]
        rng.shuffle(ids)
        occupied, vacant = ids[: int(len(ids) * 0.8)], ids[int(len(ids) * 0.8):]
        services.units_set_status_bulk(units=occupied, to_status=Unit.Status.OCCUPIED, actor=actor, opinion="演示数据：已配租入住")
        maintenance, vacant = vacant[:3], vacant[3:]
        services.units_set_status_bulk(units=maintenance, to_status=Unit.Status.MAINTENANCE, actor=actor, opinion="演示数据：维修")
        services.units_publish_bulk(units=vacant, actor=actor, opinion="演示数据：发布空置房源")
        if name == "益民小区":
            services.renovation_record(
                estate=estate, title="电气线路改造", kind="renovation", started_on=date(2023, 5, 8),
                finished_on=date(2023, 9, 28), cost=Decimal("1248000.00"), contractor=DEMO_CONTRACTOR,
                description="更换入户线路与配电箱，共 208 户。", units=ids,
            )
        elif name == "悦民苑":
            services.renovation_record(
                estate=estate, title="外立面改造及门禁对讲系统更换", kind="renovation", started_on=date(2024, 4, 15),
                finished_on=date(2024, 10, 20), cost=Decimal("3105000.00"), contractor=DEMO_CONTRACTOR,
                description="外墙保温与涂料翻新，单元门更换为可视对讲门禁，共 270 户。", units=ids,
            )
        _pictures(estate, index)
        services.estate_publish(estate=estate, actor=actor, opinion="演示数据")
