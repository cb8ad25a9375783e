"""Materials: only those the category needs minus what departments supply online; checked by content;
10 MB at most; images re-encoded without metadata; private; served only to those allowed; a replaced
file keeps its history."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from applications import selectors
from applications.apply import services as apply_services
from applications.models import Material, Status
from gongzufang.errors import PortalError
from gongzufang.models import PolicyParameter
from tests import factories
from tests.applications import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def app(db):
    app = builders.draft(materials=False)
    return app


def post_file(client, app, kind, upload, **extra):
    client.force_login(app.applicant)
    return client.post(reverse("applications:materials", args=[app.pk]),
                       {"kind": kind, f"{kind}-file": upload, **extra})


def test_only_the_categorys_materials_minus_those_supplied_online_are_asked(app):
    kinds = selectors.required_material_kinds(app)
    assert kinds == ["income", "current_housing", "category_proof"]
    assert "identity" not in kinds and "hukou_or_residence" not in kinds  # 公安户籍 supplies them
    assert "marital_status" not in kinds  # 婚姻登记 supplies it


def test_the_list_follows_the_dated_parameter(app):
    from datetime import date

    PolicyParameter.objects.create(key=f"materials.required.{app.category}", value="identity,income",
                                   effective_from=date(2001, 1, 1), legal_source="测试")
    assert selectors.required_material_kinds(app) == ["income"]


def test_a_png_is_accepted_and_stored_privately(client, app):
    response = post_file(client, app, "income", builders.upload("工资证明.png"))
    assert response.status_code == 302
    material = Material.objects.get()
    assert material.content_type == "image/png" and material.original_name == "工资证明.png"
    path = Path(material.file.path)
    assert path.is_relative_to(Path(settings.MEDIA_ROOT) / "private")
    assert "工资证明" not in path.name  # stored under a random name
    with pytest.raises(ValueError):
        _ = material.file.url  # no public URL at all


def test_a_pdf_is_accepted_and_stored_as_a_rewritten_copy(client, app):
    post_file(client, app, "income", SimpleUploadedFile("收入.pdf", builders.PDF_BYTES, "application/pdf"))
    material = Material.objects.get()
    assert material.content_type == "application/pdf"
    stored = material.file.read()
    assert len(PdfReader(io.BytesIO(stored)).pages) == 1 and material.size == len(stored)


def test_image_metadata_is_removed(client, app):
    jpeg = builders.png_bytes(exif=True)
    assert Image.open(io.BytesIO(jpeg)).getexif()
    post_file(client, app, "income", SimpleUploadedFile("photo.jpg", jpeg, "image/jpeg"))
    stored = Material.objects.get().file.read()
    assert not Image.open(io.BytesIO(stored)).getexif()
    assert b"SecretCam" not in stored


def test_a_file_too_big_is_refused_with_the_limit(client, app):
    big = builders.PDF_BYTES[:-7] + b" " * (10 * 1024 * 1024) + b"\n%%EOF\n"
    response = post_file(client, app, "income", SimpleUploadedFile("big.pdf", big, "application/pdf"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "文件过大（10.00 MB），每个文件不能超过 10 MB" in body
    assert not Material.objects.exists()


def test_an_executable_renamed_pdf_is_refused(client, app):
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 400
    response = post_file(client, app, "income", SimpleUploadedFile("收入证明.pdf", exe, "application/pdf"))
    body = response.content.decode()
    assert "不是 PDF、JPG 或 PNG" in body
    assert 'id="id_income-file_error"' in body  # next to the field
    assert not Material.objects.exists()


def test_a_pdf_header_and_trailer_around_an_executable_is_refused(client, app):
    polyglot = b"%PDF-1.4\n\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 16 + b"\n%%EOF\n"
    response = post_file(client, app, "income", SimpleUploadedFile("收入证明.pdf", polyglot, "application/pdf"))
    assert "PDF 文件无法解析" in response.content.decode()
    assert not Material.objects.exists()


@pytest.mark.parametrize("name, content", [
    ("a.png", b"just some text, not an image"),
    ("a.jpg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
    ("a.pdf", b"%PDF-1.4\n truncated"),
    ("a.png", b""),
])
def test_other_fakes_are_refused(client, app, name, content):
    response = post_file(client, app, "income", SimpleUploadedFile(name, content, "image/png"))
    assert response.status_code == 200
    assert not Material.objects.exists()


def test_a_failed_upload_loses_nothing_already_saved(client, app):
    post_file(client, app, "income", builders.upload("first.png"))
    post_file(client, app, "income", SimpleUploadedFile("bad.pdf", b"MZ" + b"\x00" * 100, "application/pdf"))
    assert list(Material.objects.current().values_list("original_name", flat=True)) == ["first.png"]
    app.refresh_from_db()
    assert app.housing_type == "private_rent" and app.consent_at


def test_a_kind_not_required_is_refused(app):
    with pytest.raises(PortalError, match="不需要上传"):
        apply_services.material_upload(application=app, actor=app.applicant, kind="identity", upload=builders.upload())


def test_a_replaced_file_keeps_its_history(client, app):
    post_file(client, app, "income", builders.upload("old.png"))
    old = Material.objects.get()
    post_file(client, app, "income", builders.upload("new.png"), replaces=old.pk)
    old.refresh_from_db()
    new = Material.objects.get(original_name="new.png")
    assert old.superseded_at is not None and old.superseded_by == new
    assert Path(old.file.path).exists()  # the old file is kept
    assert list(app.materials.current().values_list("pk", flat=True)) == [new.pk]


def test_removing_a_file_keeps_the_row(client, app):
    post_file(client, app, "income", builders.upload("old.png"))
    material = Material.objects.get()
    client.post(reverse("applications:material_remove", args=[app.pk, material.pk]))
    material.refresh_from_db()
    assert material.superseded_at is not None


def test_the_file_is_served_to_its_applicant(client, app):
    post_file(client, app, "income", builders.upload())
    material = Material.objects.get()
    response = client.get(reverse("applications:material_file", args=[material.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_another_applicant_gets_404_for_the_file(client, app):
    post_file(client, app, "income", builders.upload())
    material = Material.objects.get()
    client.force_login(builders.applicant())
    assert client.get(reverse("applications:material_file", args=[material.pk])).status_code == 404
    assert client.get(reverse("applications:material_file", args=[material.pk + 999])).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, app):
    apply_services.material_upload(application=app, actor=app.applicant, kind="income", upload=builders.upload())
    response = client.get(reverse("applications:material_file", args=[Material.objects.get().pk]))
    assert response.status_code == 302 and reverse("login") in response.url


def test_caseworkers_in_scope_see_the_file_and_others_get_404(client, carol, dave, bob, chen):
    app = builders.submitted()  # in carol's street, dave's district
    material = app.materials.first()
    url = reverse("applications:material_file", args=[material.pk])
    other_street_clerk = factories.ClerkFactory(street=factories.district("230602").streets.order_by("code")[1])
    for user, status in ((carol, 200), (dave, 200), (chen, 200), (bob, 404), (other_street_clerk, 404)):
        client.force_login(user)
        assert client.get(url).status_code == status, user.username


def test_caseworkers_never_see_a_drafts_files(client, dave, app):
    apply_services.material_upload(application=app, actor=app.applicant, kind="income", upload=builders.upload())
    client.force_login(dave)
    assert client.get(reverse("applications:material_file", args=[Material.objects.get().pk])).status_code == 404


def test_materials_cannot_change_after_submission(app):
    app = builders.submitted()
    assert app.status == Status.SUBMITTED
    with pytest.raises(PortalError, match="不能修改"):
        apply_services.material_upload(application=app, actor=app.applicant, kind="income", upload=builders.upload())


@pytest.mark.parametrize("replaces", ["abc", "1.5", "-1", "99999999999999999999"])
def test_a_forged_replaces_value_answers_404_and_saves_nothing(client, app, replaces):
    client.raise_request_exception = False
    response = post_file(client, app, "income", builders.upload("new.png"), replaces=replaces)
    assert response.status_code == 404
    assert not Material.objects.exists()
