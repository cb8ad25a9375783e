"""Fixtures of the housing suites (browser and media fixtures are in tests/conftest.py)."""

import pytest

from tests.housing import factories


@pytest.fixture
def stock_a(db):
    """District A (萨尔图区): a published estate with three published units."""
    return factories.stock("230602", units=3)


@pytest.fixture
def stock_b(db):
    """District B (龙凤区): a published estate with three published units."""
    return factories.stock("230603", units=3)
