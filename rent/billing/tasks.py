"""Billing tasks (placeholder; filled below)."""
