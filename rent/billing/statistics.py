"""Rent's figures (placeholder)."""

NOTES = {}


def rent_figures(period, rows, total) -> None:
    return None
