import pytest


@pytest.fixture(autouse=True)
def _lease_signing_pair(settings, tmp_path_factory):
    """A development signing pair made once per test session in a temporary folder."""
    folder = tmp_path_factory.getbasetemp() / "lease-signing"
    settings.LEASE_SIGNING_CERT = str(folder / "cert.pem")
    settings.LEASE_SIGNING_KEY = str(folder / "key.pem")
    settings.LEASE_SIGNING_DEV_PAIR = True
