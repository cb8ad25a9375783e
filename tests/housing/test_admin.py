"""The housing admin: scoped to the caseworker's district, writes through the services, photos checked."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from housing.models import EstatePhoto, Unit, UnitStatusChange
from tests.housing import factories

pytestmark = pytest.mark.django_db


def test_dave_sees_only_his_districts_units(client, dave, stock_a, stock_b):
    client.force_login(dave)
    response = client.get(reverse("admin:housing_unit_changelist"))
    assert response.status_code == 200
    shown = {u.pk for u in response.context["cl"].result_list}
    assert shown == {u.pk for u in stock_a[2]}


def test_another_districts_unit_answers_404(client, dave, stock_b):
    client.force_login(dave)
    theirs = stock_b[2][0]
    for name in ("change", "history"):
        assert client.get(reverse(f"admin:housing_unit_{name}", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("admin:housing_estate_change", args=[stock_b[0].pk])).status_code == 404
    assert client.get(reverse("admin:housing_building_change", args=[stock_b[1].pk])).status_code == 404


def test_the_city_caseworker_sees_every_district(client, chen, stock_a, stock_b):
    client.force_login(chen)
    response = client.get(reverse("admin:housing_unit_changelist"))
    assert len(response.context["cl"].result_list) == 6
    response = client.get(reverse("admin:housing_unit_changelist"), {"district": stock_b[0].district_id})
    assert {u.pk for u in response.context["cl"].result_list} == {u.pk for u in stock_b[2]}


def test_filters_by_estate_and_status(client, dave, stock_a):
    estate, building, units = stock_a
    other_estate, _b, others = factories.stock("230602", units=2)
    client.force_login(dave)
    response = client.get(reverse("admin:housing_unit_changelist"), {"estate": estate.pk, "listing__exact": "published"})
    assert {u.pk for u in response.context["cl"].result_list} == {u.pk for u in units}
    response = client.get(reverse("admin:housing_unit_changelist"), {"q": other_estate.name})
    assert {u.pk for u in response.context["cl"].result_list} == {u.pk for u in others}


def test_a_street_clerk_may_look_but_not_change(client, carol, stock_a):
    client.force_login(carol)
    unit = stock_a[2][0]
    assert client.get(reverse("admin:housing_unit_changelist")).status_code == 200
    assert client.get(reverse("admin:housing_unit_change", args=[unit.pk])).status_code == 200
    response = client.post(reverse("admin:housing_unit_change", args=[unit.pk]), {"number": "X"})
    assert response.status_code == 403


def _action(client, action, units, **extra):
    return client.post(
        reverse("admin:housing_unit_changelist"),
        {"action": action, ACTION_CHECKBOX_NAME: [u.pk for u in units], **extra},
    )


def test_bulk_withdraw_asks_why_then_records_it(client, dave, stock_a, stock_b):
    client.force_login(dave)
    units = stock_a[2]
    page = _action(client, "withdraw", units)
    assert page.status_code == 200
    assert "原因" in page.content.decode()
    assert Unit.objects.filter(pk__in=[u.pk for u in units], listing="published").count() == 3

    missing_reason = _action(client, "withdraw", units, apply="1", opinion="")
    assert missing_reason.status_code == 200  # the form again, with an error
    assert Unit.objects.filter(listing="withdrawn").count() == 0

    done = _action(client, "withdraw", units, apply="1", opinion="信息核对中")
    assert done.status_code == 302
    assert Unit.objects.filter(pk__in=[u.pk for u in units], listing="withdrawn").count() == 3
    logs = UnitStatusChange.objects.filter(field="listing", to_status="withdrawn")
    assert logs.count() == 3 and {log.opinion for log in logs} == {"信息核对中"}
    assert {log.actor_id for log in logs} == {dave.pk}


def test_bulk_actions_cannot_reach_another_district(client, dave, stock_b):
    client.force_login(dave)
    _action(client, "withdraw", stock_b[2], apply="1", opinion="越权")
    assert Unit.objects.filter(listing="withdrawn").count() == 0


def test_bulk_publish_reports_what_it_skipped(client, dave):
    _e, building, _u = factories.stock("230602", units=0)
    fresh = [factories.unit(building) for _ in range(2)]
    repaired = factories.unit(building)
    from housing import services

    services.unit_set_status(unit=repaired, to_status="maintenance", actor=dave)
    client.force_login(dave)
    response = _action(client, "publish", [*fresh, repaired], apply="1", opinion="")
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("2 条记录已处理" in m for m in messages)
    assert any("只有空置可配的房屋可以发布" in m for m in messages)


def test_saving_a_unit_in_the_admin_computes_the_rent(client, dave, stock_a):
    _estate, building, _units = stock_a
    client.force_login(dave)
    response = client.post(reverse("admin:housing_unit_add"), {
        "building": building.pk, "number": "9单元601", "floor": 6, "area": "50.05", "bedrooms": 1,
        "layout": "一室一厅", "orientation": "s", "rent_per_sqm": "",
        "photos-TOTAL_FORMS": 0, "photos-INITIAL_FORMS": 0,
        "status_changes-TOTAL_FORMS": 0, "status_changes-INITIAL_FORMS": 0,
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    unit = Unit.objects.get(number="9单元601")
    assert str(unit.rent_per_sqm) == "8.00"  # the estate's rate, since none was given
    assert str(unit.monthly_rent) == "400.40"
    assert unit.district_id == dave.district_id


def test_a_unit_above_the_top_floor_is_refused_with_a_message(client, dave, stock_a):
    client.force_login(dave)
    response = client.post(reverse("admin:housing_unit_add"), {
        "building": stock_a[1].pk, "number": "顶层", "floor": 30, "area": "50", "bedrooms": 1, "orientation": "s",
        "photos-TOTAL_FORMS": 0, "photos-INITIAL_FORMS": 0,
        "status_changes-TOTAL_FORMS": 0, "status_changes-INITIAL_FORMS": 0,
    })
    assert response.status_code == 200
    assert "楼层不能超过该楼栋的层数" in response.content.decode()


def _estate_form(estate, **photo):
    data = {
        "name": estate.name, "street": estate.street_id, "address": estate.address, "rent_per_sqm": "8.00",
        "description": "", "facilities": "",
        "buildings-TOTAL_FORMS": 0, "buildings-INITIAL_FORMS": 0,
        "photos-TOTAL_FORMS": 1, "photos-INITIAL_FORMS": 0, "photos-0-caption": "外景", "photos-0-sort_order": 0,
        "renovations-TOTAL_FORMS": 0, "renovations-INITIAL_FORMS": 0,
        "status_changes-TOTAL_FORMS": 0, "status_changes-INITIAL_FORMS": 0,
    }
    data.update(photo)
    return data


def test_an_estate_photo_is_checked_and_stored_without_metadata(client, dave, stock_a, media_root):
    estate = stock_a[0]
    client.force_login(dave)
    upload = factories.image_upload("IMG_0001.JPG", exif=_exif_with_gps())
    response = client.post(reverse("admin:housing_estate_change", args=[estate.pk]), _estate_form(estate, **{"photos-0-image": upload}))
    assert response.status_code == 302, response.context["inline_admin_formsets"][1].formset.errors
    photo = EstatePhoto.objects.get(estate=estate)
    assert photo.image.name.startswith("public/housing/estates/")
    assert photo.uploaded_by == dave
    from PIL import Image

    with Image.open(photo.image.path) as stored:
        assert not stored.getexif()
    assert (photo.width, photo.height) == (64, 48)


def test_a_text_file_named_jpg_is_refused_in_the_admin(client, dave, stock_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    estate = stock_a[0]
    client.force_login(dave)
    fake = SimpleUploadedFile("photo.jpg", b"not really a picture\n" * 20, content_type="image/jpeg")
    response = client.post(reverse("admin:housing_estate_change", args=[estate.pk]), _estate_form(estate, **{"photos-0-image": fake}))
    assert response.status_code == 200
    assert "文件内容不是有效的图片" in response.content.decode()
    assert not EstatePhoto.objects.exists()


def _exif_with_gps():
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x8825] = {1: "N", 2: (46.0, 35.0, 0.0)}  # GPS IFD
    return exif.tobytes()


def test_a_png_bomb_and_an_oversized_file_are_refused_on_a_unit(client, dave, stock_a, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from housing import forms as housing_forms
    from tests.housing.test_uploads import png_of_size

    unit = stock_a[2][0]
    client.force_login(dave)

    def post(upload):
        return client.post(reverse("admin:housing_unit_change", args=[unit.pk]), {
            "building": unit.building_id, "number": unit.number, "floor": unit.floor, "area": unit.area,
            "bedrooms": unit.bedrooms, "orientation": unit.orientation, "rent_per_sqm": unit.rent_per_sqm,
            "photos-TOTAL_FORMS": 1, "photos-INITIAL_FORMS": 0, "photos-0-image": upload, "photos-0-sort_order": 0,
            "status_changes-TOTAL_FORMS": 0, "status_changes-INITIAL_FORMS": 0,
        })

    bomb = SimpleUploadedFile("bomb.png", png_of_size(20000, 20000), content_type="image/png")
    assert "图片尺寸过大" in post(bomb).content.decode()
    big = SimpleUploadedFile("big.jpg", factories.image_bytes(size=(64, 48)) + b"\0" * housing_forms.PHOTO_MAX_BYTES)
    assert "文件过大" in post(big).content.decode()
    assert not unit.photos.exists()
