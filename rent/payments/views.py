"""Tenant pages of the payment half and the bank's notification endpoint (DESIGN §8).

- POST /rent/payments/pay/ (rent:pay): the bills chosen on 我的账单 → a payment order → its page.
- /rent/payments/orders/<order_no>/: the order, with the link to the bank's pay page while pending.
- /rent/payments/orders/<order_no>/return/: where the bank sends the payer back; a still-pending
  order is asked about at once (the notification may be late or lost).
- /rent/payments/: 缴费记录 (payments with their receipts, credit, orders).
- /rent/payments/<pk>/receipt.pdf: the electronic receipt, for the tenant only.
- POST /payments/notify/: the bank's signed notification (csrf-exempt; services.notification_receive).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from gongzufang.bank.client import BankError
from gongzufang.client_ip import client_ip
from rent.models import OrderStatus

from . import selectors, services
from .receipts import receipt_pdf


@login_required
@require_POST
def pay(request):
    try:
        ids = [int(v) for v in request.POST.getlist("bill")]
    except ValueError:
        ids = []
    try:
        order = services.order_create(tenant=request.user, bill_ids=ids)
    except services.PaymentError as exc:
        messages.error(request, exc.message)
        return redirect("rent:bills")
    return redirect("rent:payment-order", order.order_no)


def _order_or_404(request, order_no):
    order = selectors.order_of(request.user, order_no)
    if order is None:
        raise Http404("未找到该缴费订单。")
    return order


@login_required
@require_GET
def order_detail(request, order_no):
    return _order_page(request, _order_or_404(request, order_no))


def _order_page(request, order):
    payment = getattr(order, "payment", None) if order.status == OrderStatus.PAID else None
    return render(request, "rent/payments/order.html", {
        "order": order, "order_bills": order.order_bills.select_related("bill").order_by("bill__period"),
        "payment": payment,
    })


@login_required
@require_GET
def order_return(request, order_no):
    order = _order_or_404(request, order_no)
    if order.status == OrderStatus.PENDING:
        try:
            order = services.order_refresh(order)
        except BankError as exc:
            messages.warning(request, f"暂时无法向银行查询支付结果（{exc}），稍后刷新本页即可看到结果。")
    if order.status == OrderStatus.PAID:
        messages.success(request, "缴费成功，账单已更新，可下载电子收据。")
    elif order.status == OrderStatus.FAILED:
        messages.error(request, "银行支付未成功，账单未缴。可重新选择账单缴费。")
    # The order's page itself, not a redirect to it: one round trip for the payer coming back from the
    # bank; loading this address again only asks the bank again (harmless).
    return _order_page(request, order)


@login_required
@require_GET
def payment_list(request):
    return render(request, "rent/payments/list.html", {
        "payments": selectors.payments_of(request.user),
        "orders": selectors.orders_of(request.user)[:20],
        "credit": selectors.credit_of(request.user),
    })


@login_required
@require_GET
def receipt(request, pk):
    payment = selectors.payment_of(request.user, pk)
    if payment is None:
        raise Http404("未找到该缴费记录。")
    response = HttpResponse(receipt_pdf(payment), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="receipt-{payment.receipt_no}.pdf"'
    return response


@csrf_exempt
@require_POST
def notify(request):
    answer = services.notification_receive(raw_body=request.body, signature=request.headers.get("X-Bank-Signature", ""),
                                           ip=client_ip(request))
    return JsonResponse(answer.body, status=answer.http_status, json_dumps_params={"ensure_ascii": False})
