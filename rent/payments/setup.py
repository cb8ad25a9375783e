"""The payment half's wiring, called from RentConfig.ready() (rent/apps.py): role permissions, the
statistics figure, the message subject of payment orders and the demo seeder (after the leases')."""

from django.urls import reverse

PAYMENT_STAFF = [
    "rent.view_paymentorder", "rent.view_paymentorderstatuschange", "rent.view_payment", "rent.add_payment",
    "rent.record_counter_payment", "rent.refund_payment", "rent.view_paymentallocation", "rent.view_rentcredit",
    "rent.view_creditentry", "rent.view_refund", "rent.view_notificationattempt", "rent.view_statementimport",
    "rent.add_statementimport", "rent.view_statementline", "rent.change_statementline",
]


def ready():
    from gongzufang import demo, roles, statistics
    from gongzufang.models.users import Role
    from notifications import subjects

    from . import demo as payment_demo
    from . import statistics as payment_statistics

    roles.extend_role_permissions({Role.DISTRICT_CASEWORKER: PAYMENT_STAFF, Role.CITY_CASEWORKER: PAYMENT_STAFF})
    statistics.register(payment_statistics.rent_payment_figures, notes=payment_statistics.NOTES)
    subjects.register("rent.PaymentOrder", link_text="查看缴费订单",
                      url=lambda order: reverse("rent:payment-order", args=[order.order_no]))
    if payment_demo.seed not in demo.DEMO_SEEDERS:
        demo.DEMO_SEEDERS.append(payment_demo.seed)
