"""Cross-department data exchange (部门联审): adapters, the HTTP client and the simulated exchange.

See docs/adr/0005-department-exchange.md.
"""

from .base import OUTCOME_LABELS, DepartmentAdapter, DepartmentResult, Outcome
from .client import ExchangeClient, ExchangeUnavailable
from .departments import (
    HttpDepartmentAdapter,
    HukouAdapter,
    adapter_for,
    departments,
    materials_supplied_online,
    register,
)
from .identity import IdentityCheck, verify_identity

__all__ = [
    "OUTCOME_LABELS",
    "DepartmentAdapter",
    "DepartmentResult",
    "ExchangeClient",
    "ExchangeUnavailable",
    "HttpDepartmentAdapter",
    "HukouAdapter",
    "IdentityCheck",
    "Outcome",
    "adapter_for",
    "departments",
    "materials_supplied_online",
    "register",
    "verify_identity",
]
