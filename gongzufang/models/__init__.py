"""City-wide models every app uses. One module per concern; import from here."""

from .api_clients import ApiClient, ApiClientStatusChange
from .articles import Article, ArticleAttachment, ArticleCategory, ArticleImage, ArticleStatusChange
from .audit import PiiAccessLog, StatusChange
from .calendar import CalendarDay, CalendarYear
from .guide import AssistanceCategory, AssistanceCondition, AssistanceForm, AssistanceMaterial, AssistanceStep
from .parameters import PolicyParameter
from .places import Community, District, Street
from .users import User
from .visits import DailyVisit, PageKind

__all__ = [
    "ApiClient",
    "ApiClientStatusChange",
    "Article",
    "ArticleAttachment",
    "ArticleCategory",
    "ArticleImage",
    "ArticleStatusChange",
    "AssistanceCategory",
    "AssistanceCondition",
    "AssistanceForm",
    "AssistanceMaterial",
    "AssistanceStep",
    "CalendarDay",
    "CalendarYear",
    "Community",
    "DailyVisit",
    "District",
    "PageKind",
    "PiiAccessLog",
    "PolicyParameter",
    "StatusChange",
    "Street",
    "User",
]
