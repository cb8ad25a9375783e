"""Demo waitlist and rounds for `seed_demo` (filled in below; idempotent)."""


def seed():
    return None
