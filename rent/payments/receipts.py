"""The electronic receipt of a payment (电子收据), a PDF made with WeasyPrint in Chinese. Made when asked
for from the payment's rows (which never change), so the same payment always gives the same receipt."""

import logging
from decimal import Decimal

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

for _name in ("weasyprint", "weasyprint.progress", "fontTools"):
    logging.getLogger(_name).setLevel(logging.WARNING)

FONT_FAMILIES = '"WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif'
STYLE = """
@page { size: A5 landscape; margin: 12mm; }
body { font-family: FONTS; font-size: 10.5pt; color: #111; }
h1 { text-align: center; font-size: 16pt; letter-spacing: 4pt; margin: 0 0 4mm; }
.meta { display: flex; justify-content: space-between; font-size: 9pt; margin-bottom: 2mm; }
table { width: 100%; border-collapse: collapse; }
th, td { border: 0.6pt solid #333; padding: 1.6mm 2mm; text-align: left; }
td.money, th.money { text-align: right; }
.total { font-weight: bold; }
.foot { margin-top: 4mm; font-size: 9pt; display: flex; justify-content: space-between; }
.seal { border: 1.2pt solid #c00; color: #c00; padding: 2mm 4mm; border-radius: 2mm; }
""".replace("FONTS", FONT_FAMILIES)


class _NoFetch(URLFetcher):
    def fetch(self, url, headers=None):
        raise ValueError(f"收据不加载外部资源：{str(url)[:80]}")


DIGITS = "零壹贰叁肆伍陆柒捌玖"
UNITS = ["", "拾", "佰", "仟"]
BIG = ["", "万", "亿"]


def amount_in_words(amount: Decimal) -> str:
    """人民币大写, e.g. 1234.50 → 壹仟贰佰叁拾肆元伍角整."""
    amount = Decimal(amount).quantize(Decimal("0.01"))
    yuan = int(amount)
    jiao, fen = divmod(int((amount - yuan) * 100), 10)
    words = ""
    if yuan == 0:
        words = "零"
    else:
        groups = []
        while yuan:
            groups.append(yuan % 10000)
            yuan //= 10000
        pending_zero = False
        for gi in range(len(groups) - 1, -1, -1):
            group = groups[gi]
            if group == 0:
                pending_zero = bool(words)
                continue
            part, zero = "", pending_zero or (bool(words) and group < 1000)
            for i in range(3, -1, -1):
                d = group // (10 ** i) % 10
                if d == 0:
                    zero = bool(part) or zero
                    continue
                if zero and (part or words):
                    part += "零"
                zero = False
                part += DIGITS[d] + UNITS[i]
            words += part + BIG[gi]
            pending_zero = False
    if words == "零":
        if jiao == 0 and fen == 0:
            return "零元整"
        return (DIGITS[jiao] + "角" if jiao else "") + (DIGITS[fen] + "分" if fen else "整")
    words += "元"
    if jiao == 0 and fen == 0:
        return words + "整"
    if jiao:
        words += DIGITS[jiao] + "角"
    elif fen:
        words += "零"
    if fen:
        words += DIGITS[fen] + "分"
    else:
        words += "整"
    return words


def receipt_context(payment) -> dict:
    lease = payment.lease
    allocations = list(payment.allocations.filter(refund__isnull=True).select_related("bill").order_by("bill__period"))
    applied = sum((a.amount for a in allocations), Decimal("0.00"))
    return {
        "payment": payment, "lease": lease, "unit": lease.unit, "estate": lease.unit.estate,
        "tenant_name": lease.tenant_name,
        "allocations": allocations, "to_credit": payment.amount - applied,
        "amount_words": amount_in_words(payment.amount), "bureau": settings.PORTAL_BUREAU_NAME,
        "paid_at": timezone.localtime(payment.paid_at), "made_at": timezone.localtime(),
    }


def receipt_pdf(payment) -> bytes:
    html = render_to_string("rent/payments/receipt_pdf.html", receipt_context(payment))
    return HTML(string=html, url_fetcher=_NoFetch()).write_pdf(stylesheets=[CSS(string=STYLE)])
