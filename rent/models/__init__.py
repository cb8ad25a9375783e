"""Rent's models: leases and bills (this module), payments (rent/models/payments.py, the payment half)."""

from .bills import Bill, BillingRun, BillQuerySet, BillReminder, BillStatus, BillStatusChange  # noqa: F401
from .leases import Handover, HandoverPhoto, Lease, LeaseStatus, LeaseStatusChange, SignCode  # noqa: F401
from .payments import (  # noqa: F401
    CreditEntry,
    NotificationAttempt,
    OrderStatus,
    Payment,
    PaymentAllocation,
    PaymentMethod,
    PaymentOrder,
    PaymentOrderBill,
    PaymentOrderStatusChange,
    Refund,
    RentCredit,
    StatementImport,
    StatementLine,
)
