"""Subsidies suites: the simulated bank comes from tests/conftest.py (`simulated_bank`)."""
