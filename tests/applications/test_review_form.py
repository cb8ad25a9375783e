"""The printable review form (审核表): a PDF with every level's opinion, who gave it and when, the rule
results and the decision; masked personal data; nothing loaded from outside; caseworkers of the
application's area only."""

import pytest
from django.urls import reverse
from weasyprint import HTML
from weasyprint.formatting_structure import boxes

from applications import services
from applications.models import RuleEvaluation
from applications.review import services as review
from applications.review.review_form import LocalOnlyFetcher, review_form_document, review_form_pdf
from gongzufang.pii import mask_id_number
from tests import factories
from tests.applications.builders import applicant, fresh_id_number, submitted
from tests.applications.review_builders import fresh, store_results

pytestmark = pytest.mark.django_db


def document_text(document) -> str:
    """The text WeasyPrint laid out on every page, margin boxes (the footer) included."""
    parts = []

    def walk(box):
        if isinstance(box, boxes.TextBox):
            parts.append(box.text)
        for child in getattr(box, "children", ()):
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    return "".join(parts)


class RecordingFetcher(LocalOnlyFetcher):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.asked = []

    def fetch(self, url, headers=None):
        self.asked.append(url)
        return super().fetch(url, headers)


@pytest.fixture
def reviewed(carol, dave):
    """Through the real review: accepted and street-approved by the clerk, department results stored,
    rules evaluated, district-approved into public notice — each step with its opinion."""
    spouse_id = fresh_id_number(born="19910202")
    person = applicant(name="张三明")
    app = submitted(person, members=[("spouse", "李小红", spouse_id)])
    services.application_accept(application=app, actor=carol, opinion="材料齐全，同意受理")
    review.street_approve(application=fresh(app), actor=carol, opinion="经入户调查，情况属实")
    store_results(fresh(app))
    assert review.checks_finished(application_id=app.pk)
    review.district_approve(application=fresh(app), actor=dave, opinion="经审核符合条件，同意公示")
    app = fresh(app)
    app.spouse_id = spouse_id
    return app


def test_the_form_is_a_pdf_with_every_opinion_who_gave_it_and_when(reviewed, carol, dave):
    pdf = review_form_pdf(reviewed)
    assert pdf.startswith(b"%PDF")
    text = document_text(review_form_document(reviewed))
    assert "公共租赁住房保障资格审核表" in text and reviewed.number in text
    assert "材料齐全，同意受理" in text and "经入户调查，情况属实" in text and "经审核符合条件，同意公示" in text
    assert carol.real_name in text and dave.real_name in text
    assert "街道" in text and "区县" in text  # the level of each opinion
    change = reviewed.status_changes.get(opinion="材料齐全，同意受理")
    from django.utils import timezone
    assert timezone.localtime(change.created_at).strftime("%Y-%m-%d %H:%M") in text
    assert "打印时间" in text  # the footer


def test_personal_data_is_masked(reviewed):
    text = document_text(review_form_document(reviewed))
    person = reviewed.applicant
    assert "张*明" in text and "李*红" in text
    assert mask_id_number(person.id_number) in text and mask_id_number(reviewed.spouse_id) in text
    assert person.id_number not in text and reviewed.spouse_id not in text
    assert "张三明" not in text


def test_the_current_rule_evaluation_is_listed(reviewed):
    evaluation = RuleEvaluation.objects.get(application=reviewed, is_current=True)
    text = document_text(review_form_document(reviewed))
    assert evaluation.results and all(r["label"] in text for r in evaluation.results)
    assert "资格条件核验" in text and "不符合" not in text


def test_failed_rules_show_the_value_and_the_limit(reviewed):
    from django.utils import timezone

    RuleEvaluation.objects.filter(application=reviewed).update(is_current=False)
    RuleEvaluation.objects.create(
        application=reviewed, decision_date=timezone.localdate(), category="low_income", passed=False,
        results=[{"rule": "income", "label": "家庭人均月收入", "passed": False, "value": "2500.00", "limit": "1800.00",
                  "source": "人社部门", "reason": ""},
                 {"rule": "area", "label": "人均住房面积", "passed": True, "value": "6.25", "limit": "15",
                  "source": "申报", "reason": ""}])
    text = document_text(review_form_document(reviewed))
    assert "家庭人均月收入" in text and "不符合" in text and "2500.00" in text and "1800.00" in text
    assert "人均住房面积" in text and "符合" in text


def test_nothing_is_fetched_from_outside_even_when_an_opinion_carries_markup(carol):
    app = submitted()
    services.application_accept(application=app, actor=carol, opinion=(
        '<img src="http://203.0.113.9/track.png"><link rel="stylesheet" href="https://cdn.example/x.css">'))
    fetcher = RecordingFetcher()
    text = document_text(review_form_document(fresh(app), url_fetcher=fetcher))
    assert fetcher.asked == []  # the opinion is text, not markup
    assert 'img src="http://203.0.113.9/track.png"' in text


def test_the_fetcher_refuses_any_url_that_is_not_a_local_file():
    fetcher = LocalOnlyFetcher()
    HTML(string='<p>x</p><img src="http://203.0.113.9/a.png"><img src="https://203.0.113.9/b.png">',
         url_fetcher=fetcher).render()
    assert fetcher.refused == ["http://203.0.113.9/a.png", "https://203.0.113.9/b.png"]


def test_every_character_is_set_in_the_chinese_font(reviewed):
    document = review_form_document(reviewed)
    document.write_pdf()  # fonts are collected while writing
    assert {font.family for font in document.fonts.values()} == {"WenQuanYi Micro Hei"}


# --- the view ------------------------------------------------------------------------------------


def url(app):
    return reverse("applications:staff_review_form", args=[app.pk])


def test_the_districts_caseworker_downloads_it(client, reviewed, dave):
    client.force_login(dave)
    response = client.get(url(reviewed))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert reviewed.number in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]


def test_the_street_clerk_and_the_city_may_print_it(client, reviewed, carol, chen):
    for person in (carol, chen):
        client.force_login(person)
        assert client.get(url(reviewed)).status_code == 200


def test_another_districts_caseworker_gets_not_found(client, reviewed, bob):
    client.force_login(bob)
    assert client.get(url(reviewed)).status_code == 404


def test_the_applicant_gets_not_found_even_for_their_own(client, reviewed):
    client.force_login(reviewed.applicant)
    assert client.get(url(reviewed)).status_code == 404


def test_a_missing_application_and_an_unsent_draft_are_not_found(client, dave):
    from tests.applications.builders import draft

    client.force_login(dave)
    assert client.get(reverse("applications:staff_review_form", args=[999999])).status_code == 404
    assert client.get(url(draft(street=factories.first_street("230602")))).status_code == 404


def test_anonymous_is_sent_to_log_in(client, reviewed):
    response = client.get(url(reviewed))
    assert response.status_code == 302 and "login" in response.url
