"""The contract PDF: Chinese, every clause, signed by the bureau (PAdES) so that pyHanko's validation
accepts it; a modified copy is reported not genuine on the public verification page."""

import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from pypdf import PdfReader

from rent.leases import contract, services
from tests.rent.builders import issued_lease

pytestmark = pytest.mark.django_db


@pytest.fixture
def lease():
    return issued_lease(category="minimum_living")


def _text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace(" ", "")


def test_the_contract_is_signed_by_the_bureau_and_validates(lease):
    data = services.contract_bytes(lease)
    assert contract.sha256_hex(data) == lease.contract_sha256
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    signature = PdfFileReader(io.BytesIO(data)).embedded_signatures[0]
    # pyHanko's validation runs asyncio.run(); Playwright's session-wide sync API keeps a loop running in
    # this thread once any browser test has run, so it is called on a worker thread (as contract.py does).
    with ThreadPoolExecutor(max_workers=1) as pool:
        status = pool.submit(validate_pdf_signature, signature,
                             ValidationContext(trust_roots=[contract.trust_root()])).result()
    assert status.bottom_line and status.intact and status.valid
    assert signature.sig_field.get("/T") == contract.FIELD_NAME
    assert "/ETSI.CAdES.detached" in str(signature.sig_object.get("/SubFilter"))


def test_every_clause_is_in_the_contract(lease):
    text = _text(services.contract_bytes(lease))
    for words in ("公共租赁住房租赁合同", lease.number, f"{lease.monthly_rent}元", f"{lease.deposit}元",
                  "不得转租、转借", "改变用途", "连续6个月以上闲置", "累计欠缴租金6个月", "年审不合格", "购买或获得其他住房",
                  "违法使用", "腾退期", "10日前缴清", "扫码核验"):
        assert words in text, words


def test_a_modified_copy_is_not_genuine(client, lease):
    data = bytearray(services.contract_bytes(lease))
    at = data.find(b"stream") + 40
    data[at] ^= 0x01
    verdict = contract.verify_pdf(bytes(data), expected_sha256=lease.contract_sha256)
    assert not verdict.genuine and verdict.sha256 != lease.contract_sha256
    page = client.post(f"/rent/contracts/verify/{lease.verification_code}/",
                       {"file": _upload(bytes(data))}).content.decode()
    assert "不是真实有效的合同" in page and verdict.sha256 in page


def test_the_genuine_file_is_reported_genuine_by_its_qr_page_and_by_upload_alone(client, lease):
    page = client.get(f"/rent/contracts/verify/{lease.verification_code}/").content.decode()
    assert lease.contract_sha256 in page and "有效" in page
    data = services.contract_bytes(lease)
    page = client.post("/rent/contracts/verify/", {"file": _upload(data)}).content.decode()
    assert "核验结果：真实有效" in page and lease.number in page


def test_a_pdf_signed_by_someone_else_is_not_genuine(lease, tmp_path, settings):
    from rent.leases.devcert import write_dev_pair

    data = contract.contract_unsigned_pdf(lease)
    settings.LEASE_SIGNING_CERT, settings.LEASE_SIGNING_KEY = str(tmp_path / "c.pem"), str(tmp_path / "k.pem")
    write_dev_pair(tmp_path / "c.pem", tmp_path / "k.pem", common_name="伪造的签章")
    forged = contract.sign_pdf(data)
    settings.LEASE_SIGNING_CERT = str(tmp_path / "missing.pem")  # back to a root that is not the forger's
    settings.LEASE_SIGNING_DEV_PAIR = True
    verdict = contract.verify_pdf(forged)
    assert not verdict.genuine


def test_an_unknown_code_is_a_404_in_chinese(client, db):
    response = client.get("/rent/contracts/verify/nope/")
    assert response.status_code == 404 and "未找到该核验码对应的合同" in response.content.decode()


def test_production_without_a_signing_pair_refuses_clearly(settings, tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    settings.LEASE_SIGNING_CERT = str(tmp_path / "none.pem")
    settings.LEASE_SIGNING_DEV_PAIR = False
    with pytest.raises(ImproperlyConfigured, match="LEASE_SIGNING_CERT"):
        contract.signer()


def _upload(data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("合同.pdf", data, content_type="application/pdf")
