"""Reads: one function per question a page, admin, API or task asks."""
