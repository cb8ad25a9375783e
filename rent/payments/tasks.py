"""Background work of the payment half: the tenant's message when an order is paid or fails, and the
sweep that asks the bank about orders left pending (lost notifications). Both idempotent."""

from celery import shared_task


@shared_task(name="rent.tasks.payment_order_changed")
def payment_order_changed(change_id: int) -> bool:
    """A site message to the tenant when an order is paid or failed (once per change: dedup key)."""
    from notifications.services import message_send
    from notifications.subjects import dedup_key
    from rent.models import OrderStatus, PaymentOrderStatusChange

    change = PaymentOrderStatusChange.objects.select_related("order__tenant").filter(pk=change_id).first()
    if change is None or change.to_status not in (OrderStatus.PAID, OrderStatus.FAILED):
        return False
    order = change.order
    if change.to_status == OrderStatus.PAID:
        title, body = "租金缴费成功", f"您的缴费订单 {order.order_no}（{order.amount} 元）已支付成功，账单已更新，可在“缴费记录”下载电子收据。"
    else:
        title, body = "租金缴费未成功", f"您的缴费订单 {order.order_no}（{order.amount} 元）银行支付未成功，账单未缴，可重新缴费。"
    return message_send(recipient=order.tenant, title=title, body=body, subject=order,
                        dedup_key=dedup_key(change, "message")) is not None


@shared_task(name="rent.tasks.payment_orders_sweep")
def payment_orders_sweep() -> dict:
    """Every 5 minutes (gongzufang/schedule.py): pending orders older than 15 minutes are asked about."""
    from .services import orders_sweep

    return orders_sweep()
