"""Tenancy suites: leases need the development signing pair (as the rent suites), monitoring and
reviews the simulated exchange (real HTTP on a free port)."""

import copy

import pytest

from applications.crosscheck.exchange.simulated import SimulatedExchange, load_records


@pytest.fixture(autouse=True)
def _lease_signing_pair(settings, tmp_path_factory):
    folder = tmp_path_factory.getbasetemp() / "lease-signing"
    settings.LEASE_SIGNING_CERT = str(folder / "cert.pem")
    settings.LEASE_SIGNING_KEY = str(folder / "key.pem")
    settings.LEASE_SIGNING_DEV_PAIR = True


@pytest.fixture
def exchange(settings):
    server = SimulatedExchange(copy.deepcopy(load_records()), port=0, hang_seconds=10)
    server.start()
    settings.EXCHANGE_URL = server.url
    settings.EXCHANGE_TIMEOUT_SECONDS = 2.0
    settings.EXCHANGE_SIMULATED = False
    yield server
    server.stop()
