"""Admin for the city-wide models; one module per concern."""

from . import articles, calendar, parameters, places, users  # noqa: F401
