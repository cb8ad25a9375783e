"""Excel export and import of units: scoped to the caseworker's district, derived fields recomputed,
states untouched, bad rows reported in Chinese."""

import io
from decimal import Decimal

import openpyxl
import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from housing.models import Unit, UnitStatusChange
from housing.resources import UnitResource

pytestmark = pytest.mark.django_db


def export_xlsx(user) -> bytes:
    return UnitResource(user=user).export().export("xlsx")


def load(xlsx: bytes) -> tablib.Dataset:
    return tablib.Dataset().load(io.BytesIO(xlsx), format="xlsx")


def run_import(user, dataset, dry_run=False):
    return UnitResource(user=user).import_data(dataset, dry_run=dry_run, raise_errors=False, user=user)


def row_errors(result):
    return [str(e) for row in result.invalid_rows for e in row.error_dict.values()] + [
        str(e.error) for _n, errors in result.row_errors() for e in errors
    ]


def test_export_has_chinese_headings_and_only_the_users_district(dave, stock_a, stock_b):
    data = load(export_xlsx(dave))
    assert data.headers[:6] == ["编号", "区县", "小区", "楼栋", "房号", "楼层"]
    assert sorted(int(r) for r in data["编号"]) == sorted(u.pk for u in stock_a[2])
    assert set(data["发布状态"]) == {"已发布"}
    assert set(data["区县"]) == {"萨尔图区"}


def test_round_trip_updates_a_unit_and_creates_another(dave, stock_a):
    estate, building, units = stock_a
    data = load(export_xlsx(dave))
    first = data.dict[0]
    target = Unit.objects.get(pk=int(first["编号"]))
    first["建筑面积（㎡）"] = "50.05"
    first["拎包入住"] = "是"
    first["房屋状态"] = "停用"  # states are not imported
    first["发布状态"] = "未发布"
    new_row = {**first, "编号": "", "房号": "9单元901", "楼层": 6, "建筑面积（㎡）": "38.50", "朝向": "南北通透",
               "拎包入住": "否", "租金标准（元/㎡·月）": ""}
    rows = [first, *data.dict[1:], new_row]
    edited = tablib.Dataset(*[[r[h] for h in data.headers] for r in rows], headers=data.headers)

    result = run_import(dave, edited)

    assert not result.has_errors() and not result.has_validation_errors(), row_errors(result)
    assert result.totals["update"] == 1 and result.totals["new"] == 1 and result.totals["skip"] == len(units) - 1
    target.refresh_from_db()
    assert target.area == Decimal("50.05")
    assert target.monthly_rent == Decimal("400.40")
    assert target.furnished is True
    assert (target.status, target.listing) == ("vacant", "published")
    created = Unit.objects.get(number="9单元901")
    assert (created.building, created.district_id, created.orientation) == (building, estate.district_id, "sn")
    assert created.monthly_rent == Decimal("308.00")  # 38.50 × 8.00, the estate's rate
    assert (created.status, created.listing) == ("vacant", "unlisted")
    assert not UnitStatusChange.objects.filter(unit=target, field="status").exists()


def test_an_id_from_another_district_is_refused_and_left_alone(dave, stock_a, stock_b):
    theirs = stock_b[2][0]
    data = load(export_xlsx(dave))
    row = data.dict[0]
    row.update({"编号": theirs.pk, "小区": stock_a[0].name, "楼栋": stock_a[1].name, "建筑面积（㎡）": "99.00"})
    result = run_import(dave, tablib.Dataset([row[h] for h in data.headers], headers=data.headers))
    assert result.has_validation_errors()
    assert any("不存在或不在您的辖区内" in e for e in row_errors(result))
    theirs.refresh_from_db()
    assert theirs.area != Decimal("99.00")


def test_a_building_in_another_district_is_not_found(dave, stock_a, stock_b):
    data = load(export_xlsx(dave))
    row = {**data.dict[0], "编号": "", "房号": "越界", "小区": stock_b[0].name, "楼栋": stock_b[1].name}
    result = run_import(dave, tablib.Dataset([row[h] for h in data.headers], headers=data.headers))
    assert any("在您的辖区内找不到小区" in e for e in row_errors(result))
    assert not Unit.objects.filter(number="越界").exists()


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("建筑面积（㎡）", "abc", "“abc”不是有效的数字"),
        ("建筑面积（㎡）", "5", "大于或等于10"),
        ("朝向", "朝天", "不是可选值"),
        ("拎包入住", "也许", "请填写“是”或“否”"),
        ("楼层", 99, "超过该楼栋层数"),
        ("房号", "", "不能为空"),
        ("楼层", "x", "不是有效的整数"),
    ],
)
def test_bad_cells_are_reported_per_row(dave, stock_a, column, value, message):
    data = load(export_xlsx(dave))
    row = {**data.dict[0], "编号": "", "房号": "新房", column: value}
    result = run_import(dave, tablib.Dataset([row[h] for h in data.headers], headers=data.headers))
    assert result.has_validation_errors() or result.has_errors()
    assert message in " ".join(row_errors(result))
    assert Unit.objects.count() == 3


def test_a_duplicate_number_in_the_building_is_reported(dave, stock_a):
    data = load(export_xlsx(dave))
    row = {**data.dict[0], "编号": ""}  # same building and number as an existing unit
    result = run_import(dave, tablib.Dataset([row[h] for h in data.headers], headers=data.headers))
    assert any("房号不能重复" in e for e in row_errors(result))


# ---------------------------------------------------------------- through the admin


def test_the_admin_exports_the_filtered_list_as_excel(client, dave, stock_a, stock_b):
    client.force_login(dave)
    response = client.post(reverse("admin:housing_unit_export"), {
        "format": "0", "resource": "0", **{f"unitresource_{f}": "on" for f in UnitResource().get_export_order()},
    })
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    ids = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(int(i) for i in ids) == sorted(u.pk for u in stock_a[2])


def test_the_admin_imports_in_two_steps(client, dave, stock_a):
    client.force_login(dave)
    data = load(export_xlsx(dave))
    row = {**data.dict[0], "编号": "", "房号": "导入101"}
    upload = tablib.Dataset([row[h] for h in data.headers], headers=data.headers).export("xlsx")
    preview = client.post(reverse("admin:housing_unit_import"), {
        "resource": "0", "format": "0",
        "import_file": SimpleUploadedFile("units.xlsx", upload),
    })
    assert preview.status_code == 200
    confirm = preview.context["confirm_form"]
    assert confirm is not None, preview.context["result"].invalid_rows
    done = client.post(reverse("admin:housing_unit_process_import"), confirm.initial)
    assert done.status_code == 302
    assert Unit.objects.filter(number="导入101", district=dave.district).exists()


def test_a_street_clerk_may_export_but_not_import(client, carol, stock_a):
    client.force_login(carol)
    assert client.get(reverse("admin:housing_unit_export")).status_code == 200
    assert client.get(reverse("admin:housing_unit_import")).status_code == 403
