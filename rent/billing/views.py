"""我的账单: the tenant's bills. Paying is the payment half's (rent/payments/): the form below posts
the selected bill ids (`bill`, repeated) to the URL named `rent:pay`, which that half provides."""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from ..leases import selectors as lease_selectors
from . import selectors


def _pay_url():
    try:
        return reverse("rent:pay")
    except NoReverseMatch:  # the payment half not installed yet
        return ""


@login_required
@require_GET
def my_bills(request):
    bills = list(selectors.bills_of(request.user))
    today = timezone.localdate()
    outstanding = [b for b in bills if b.status != "paid"]
    return render(request, "rent/bills/list.html", {
        "bills": bills, "today": today, "pay_url": _pay_url(),
        "outstanding_total": sum((b.outstanding for b in outstanding), Decimal("0.00")),
        "overdue": [b for b in outstanding if b.due_on < today],
        "awaiting_signature": list(lease_selectors.awaiting_signature(request.user)),
        "credit_balance": selectors.credit_balance_of(request.user),
        "refunds": list(selectors.refunds_of(request.user)),
        "adjustments": list(selectors.adjustments_of(request.user)),
    })
