"""Admin for leases and bills."""
