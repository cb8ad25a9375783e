"""Demo parameters say where their figure comes from, labelled as defaults the city replaces in the
admin — no "系统默认值（参照同类城市，待市住建局核定）" as the basis of a decision (issue 12, item 10)."""

import pytest

from gongzufang.models import PolicyParameter
from gongzufang.parameters import DEMO_NOTE, PARAMETERS, default_source, resolve

pytestmark = pytest.mark.django_db


def test_every_seeded_default_cites_its_source_and_says_it_is_a_default():
    rows = PolicyParameter.objects.filter(district__isnull=True, key__in=PARAMETERS)
    assert rows.count() == len(PARAMETERS)
    for row in rows:
        assert "系统默认值" not in row.legal_source
        assert row.legal_source.endswith(DEMO_NOTE) and "管理后台" in row.legal_source
        assert len(row.legal_source) <= 300


def test_eligibility_limits_cite_article_7_of_the_national_measures():
    text = default_source("eligibility.income_limit.low_income")
    assert text.startswith("《公共租赁住房管理办法》（住房和城乡建设部令第11号）第七条")
    assert "建保〔2010〕87号" in default_source("eligibility.new_graduate_years")


def test_the_resolved_default_carries_the_citation_for_decisions():
    assert resolve("review.public_notice_days").legal_source == default_source("review.public_notice_days")
