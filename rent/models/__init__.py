"""Rent's models: leases and bills (this module), payments (rent/models/payments.py, the payment half)."""

from .bills import Bill, BillAdjustment, BillingRun, BillQuerySet, BillReminder, BillStatus, BillStatusChange  # noqa: F401
from .leases import (  # noqa: F401
    Handover,
    HandoverPhoto,
    Lease,
    LeaseRenewal,
    LeaseRentChange,
    LeaseStatus,
    LeaseStatusChange,
    RentChangeKind,
    SignCode,
)
from .payments import (  # noqa: F401
    CreditEntry,
    DepositRefund,
    DepositRefundStatus,
    DepositRefundStatusChange,
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
