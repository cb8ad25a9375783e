"""Rent's admin, by room (rent/admin/leases.py: leases, handover, bills, arrears; rent/admin/payments.py: the payment half)."""

from . import leases, payments  # noqa: F401
