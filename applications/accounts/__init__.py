"""Accounts room: registration, SMS log-in, password reset, real-name verification, on-site registration."""
