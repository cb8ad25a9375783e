"""City-wide models every app uses. One module per concern; import from here."""

from .api_clients import ApiClient, ApiClientStatusChange
from .audit import PiiAccessLog, StatusChange
from .calendar import CalendarDay, CalendarYear
from .parameters import PolicyParameter
from .places import Community, District, Street
from .users import User

__all__ = [
    "ApiClient",
    "ApiClientStatusChange",
    "CalendarDay",
    "CalendarYear",
    "Community",
    "District",
    "PiiAccessLog",
    "PolicyParameter",
    "StatusChange",
    "Street",
    "User",
]
