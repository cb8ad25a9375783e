"""PLACEHOLDER - being written."""


def ensure_calendar_years():
    return []
