"""Rent's Celery tasks, by room; each room's tasks module registers its tasks by explicit name."""

from .billing import tasks as billing_tasks  # noqa: F401
from .leases import tasks as lease_tasks  # noqa: F401
from .payments import tasks as payment_tasks  # noqa: F401
