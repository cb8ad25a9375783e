"""Rent's admin, by room (rent/admin/leases.py: leases, handover, bills, arrears; the payment half adds its own)."""

from . import leases  # noqa: F401
