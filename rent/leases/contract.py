"""The lease contract as a PDF (WeasyPrint, Chinese), signed by the bureau with pyHanko (PAdES
baseline, SHA-256), and its verification: the signature against the bureau's certificate and the
file's SHA-256 against the one recorded for the lease.

The signing pair is read from LEASE_SIGNING_CERT / LEASE_SIGNING_KEY (PEM files). In development
and tests (LEASE_SIGNING_DEV_PAIR) a self-signed pair is written there the first time."""

import hashlib
import io
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import segno
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from gongzufang.parameters import EXIT_GROUNDS, param
from gongzufang.pii import mask_name

from .devcert import write_dev_pair

logger = logging.getLogger(__name__)
for _name in ("weasyprint", "weasyprint.progress", "fontTools", "pyhanko"):
    logging.getLogger(_name).setLevel(logging.WARNING)

FONT_FAMILIES = '"WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif'
FIELD_NAME = "BureauSeal"
SIGN_REASON = "大庆市住房保障中心：公共租赁住房租赁合同电子签章"


class _NoFetch(URLFetcher):
    """The contract loads nothing from outside (its QR code is inline)."""

    def fetch(self, url, headers=None):
        if str(url).startswith("data:"):
            return super().fetch(url, headers)
        raise ValueError(f"合同不加载外部资源：{str(url)[:80]}")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- the signing pair ---------------------------------------------------------------------------------


def _paths() -> tuple[Path, Path]:
    cert, key = Path(settings.LEASE_SIGNING_CERT), Path(settings.LEASE_SIGNING_KEY)
    if not (cert.exists() and key.exists()):
        if not getattr(settings, "LEASE_SIGNING_DEV_PAIR", False):
            raise ImproperlyConfigured(
                "未找到合同签章证书：请设置 LEASE_SIGNING_CERT 与 LEASE_SIGNING_KEY（PEM 文件路径）。")
        if write_dev_pair(cert, key):
            logger.warning("已生成开发环境合同签章证书 %s（不得用于生产）", cert)
    return cert, key


@lru_cache(maxsize=4)
def _signer(cert: str, key: str, mtime: float):
    from pyhanko.sign import signers

    return signers.SimpleSigner.load(key, cert)


@lru_cache(maxsize=4)
def _trust_root(cert: str, mtime: float):
    from pyhanko.keys import load_cert_from_pemder

    return load_cert_from_pemder(cert)


def signer():
    cert, key = _paths()
    return _signer(str(cert), str(key), cert.stat().st_mtime)


def trust_root():
    cert, _key = _paths()
    return _trust_root(str(cert), cert.stat().st_mtime)


# --- the document -------------------------------------------------------------------------------------


def verify_url(lease) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("rent:contract_verify", args=[lease.verification_code])


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=3, border=1)


def contract_context(lease) -> dict:
    unit = lease.unit
    on = lease.start_on
    moveout = param("exit.moveout_months", on=on, district=lease.district_id)
    url = verify_url(lease)
    return {
        "lease": lease,
        "unit": unit,
        "estate": unit.estate,
        "tenant_name": lease.tenant_name,
        "category": lease.get_category_display(),
        "exit_grounds": list(EXIT_GROUNDS.values()),
        "arrears_months": param("exit.arrears_months", on=on, district=lease.district_id),
        "vacant_months": param("exit.vacant_months", on=on, district=lease.district_id),
        "moveout_months": moveout,
        "due_day": param("rent.due_day", on=on, district=lease.district_id),
        "interval_months": param("rent.bill_interval_months", on=on, district=lease.district_id),
        "market_per_sqm": param("rent.market_per_sqm", on=on, district=lease.district_id),
        "verify_url": url,
        "qr": qr_data_uri(url),
        "made_at": timezone.localtime(),
        "font_families": FONT_FAMILIES,
    }


def contract_html(lease) -> str:
    return render_to_string("rent/leases/contract_pdf.html", contract_context(lease))


@lru_cache(maxsize=1)
def _stylesheet() -> str:
    return (Path(__file__).with_name("contract.css").read_text(encoding="utf-8")
            .replace("FONT_FAMILIES", FONT_FAMILIES))


def contract_unsigned_pdf(lease) -> bytes:
    return HTML(string=contract_html(lease), url_fetcher=_NoFetch()).write_pdf(
        stylesheets=[CSS(string=_stylesheet())])


def _off_loop(fn, *args):
    """pyHanko's blocking calls start their own asyncio loop (asyncio.run / get_event_loop), which fails in a
    thread that runs a loop (an async server, Playwright's sync API in tests) or that was left with a closed
    one (after a Playwright session ended). They therefore always run on a short-lived worker thread that
    has no loop of its own yet, whatever the calling thread's state."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pyhanko") as pool:
        return pool.submit(fn, *args).result()


def sign_pdf(pdf: bytes) -> bytes:
    """The bureau's PAdES signature over the whole file (an incremental update)."""
    return _off_loop(_sign_pdf, pdf)


def _sign_pdf(pdf: bytes) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(field_name=FIELD_NAME, subfilter=fields.SigSeedSubFilter.PADES,
                                        md_algorithm="sha256", reason=SIGN_REASON, location="黑龙江省大庆市")
    return signers.sign_pdf(writer, meta, signer=signer()).getvalue()


def contract_signed_pdf(lease) -> bytes:
    return sign_pdf(contract_unsigned_pdf(lease))


# --- verification -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    sha256: str
    signature_valid: bool  # the bureau's signature validates and covers the whole file
    matches_record: bool | None  # the file is the one recorded for the lease (None: no lease given)
    reason: str

    @property
    def genuine(self) -> bool:
        return self.signature_valid and self.matches_record is not False


def validate_signature(data: bytes) -> tuple[bool, str]:
    """(valid, why) for the bureau's signature in `data` — pyHanko's validation against our root."""
    return _off_loop(_validate_signature, data)


def _validate_signature(data: bytes) -> tuple[bool, str]:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(data))
        signatures = reader.embedded_signatures
    except Exception:  # not a PDF, or a broken one
        return False, "不是有效的 PDF 文件。"
    if not signatures:
        return False, "文件中没有电子签章。"
    try:
        status = validate_pdf_signature(signatures[0], ValidationContext(trust_roots=[trust_root()]))
    except Exception as exc:  # noqa: BLE001 — an uploaded file may be broken in any way
        logger.info("lease signature did not validate: %s", exc)
        return False, "电子签章无法验证。"
    if not status.intact:
        return False, "签章后文件内容被修改，签章无效。"
    if not (status.valid and status.trusted):
        return False, "签章不是本局的合同签章证书所签。"
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE or len(signatures) != 1:
        return False, "签章后文件又被追加了内容。"
    return True, "本局电子签章有效，签章后文件未被修改。"


def verify_pdf(data: bytes, *, expected_sha256: str | None = None) -> Verdict:
    digest = sha256_hex(data)
    valid, why = validate_signature(data)
    matches = None if expected_sha256 is None else digest == expected_sha256
    if valid and matches is False:
        why = "签章有效，但与该合同登记的文件不一致（不是这份合同）。"
    return Verdict(sha256=digest, signature_valid=valid, matches_record=matches, reason=why)


def masked_tenant(lease) -> str:
    return mask_name(lease.tenant_name)
