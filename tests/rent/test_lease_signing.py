"""The tenant reads the contract and signs it with an SMS code: the record keeps time, address, user
agent and the SHA-256 of the file signed; the offer is signed, the household leaves the waitlist and
the unit is occupied in the same transaction."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from allocation.models import Offer, WaitlistEntry
from housing.models import Unit
from notifications.models import SiteMessage
from rent.leases import services
from rent.models import Lease, LeaseStatus
from tests.rent.builders import active_lease, held_offer, issued_lease, last_code, sign

pytestmark = pytest.mark.django_db


def test_a_held_offer_gives_an_issued_lease_once(django_capture_on_commit_callbacks):
    offer = held_offer(category="minimum_living")
    with django_capture_on_commit_callbacks(execute=True):
        lease = services.lease_from_offer(offer=offer)
    again = services.lease_from_offer(offer=offer)
    assert again.pk == lease.pk and Lease.objects.count() == 1
    assert lease.status == LeaseStatus.ISSUED and lease.contract_sha256
    assert lease.coefficient == Decimal("0.10") and lease.tenant == offer.round_entry.entry.application.applicant
    assert SiteMessage.objects.filter(recipient=lease.tenant, title="租赁合同待签约").exists()


def test_signing_records_who_where_and_what_and_moves_the_household_and_the_unit():
    lease = issued_lease()
    sign(lease, ip="198.51.100.7", ua="Mozilla/5.0 (iPhone) 测试")
    lease.refresh_from_db()
    assert lease.status == LeaseStatus.SIGNED
    assert lease.signed_ip == "198.51.100.7" and "iPhone" in lease.signed_user_agent
    assert lease.signed_pdf_sha256 == lease.contract_sha256 and lease.signed_at is not None
    assert lease.signed_phone == lease.tenant.phone
    offer = Offer.objects.get(pk=lease.offer_id)
    assert offer.status == "signed"
    assert WaitlistEntry.objects.get(pk=offer.round_entry.entry_id).status == "allocated"
    assert Unit.objects.get(pk=lease.unit_id).status == "occupied"
    assert list(lease.status_changes.values_list("to_status", flat=True)) == ["draft", "issued", "signed"]


def test_a_wrong_code_signs_nothing_and_says_how_many_tries_are_left():
    lease = issued_lease()
    services.sign_code_send(lease=lease, user=lease.tenant)
    with pytest.raises(services.SignError, match="还可以再试 4 次"):
        services.lease_sign(lease=lease, user=lease.tenant, code="000000" if last_code(lease.tenant.phone) != "000000"
                            else "111111")
    lease.refresh_from_db()
    assert lease.status == LeaseStatus.ISSUED and Offer.objects.get(pk=lease.offer_id).status == "held"


def test_someone_else_cannot_sign_the_lease():
    lease = issued_lease()
    other = issued_lease().tenant
    with pytest.raises(services.workflow.NotFound):
        services.sign_code_send(lease=lease, user=other)


def test_past_the_offers_deadline_the_lease_cannot_be_signed():
    lease = issued_lease()
    Offer.objects.filter(pk=lease.offer_id).update(sign_by=timezone.localdate() - timedelta(days=1))
    lease = Lease.objects.get(pk=lease.pk)
    with pytest.raises(services.SignError, match="签约期限"):
        services.sign_code_send(lease=lease, user=lease.tenant)


def test_a_lease_whose_offer_lapsed_is_void_and_cannot_be_signed():
    lease = issued_lease()
    from gongzufang import workflow

    workflow.transition(Offer.objects.get(pk=lease.offer_id), "expire", actor=None, reason="逾期未签约")
    assert services.leases_cancel_lapsed() == 1
    lease.refresh_from_db()
    assert lease.status == LeaseStatus.TERMINATED and lease.ended_on == timezone.localdate()
    with pytest.raises(services.SignError):
        services.sign_code_send(lease=lease, user=lease.tenant)


def test_the_handover_starts_the_lease(dave):
    lease = active_lease(staff=dave)
    assert lease.status == LeaseStatus.ACTIVE
    assert lease.handover.keys == 2 and lease.handover.staff == dave


def test_the_handover_page_shows_today_as_the_browsers_date_field_reads_it(client, dave):
    """<input type=date> takes only YYYY-MM-DD: in the Chinese format (2026/12/01) the caseworker saw an
    empty 交接日期 and 确认交接 came back with “该字段是必填项。”."""
    lease = sign(issued_lease())
    client.force_login(dave)
    url = reverse("admin:rent_lease_handover", args=[lease.pk])
    page = client.get(url).content.decode()
    shown = re.search(r'<input type="date" name="handed_over_on" value="([^"]*)"', page).group(1)
    assert shown == timezone.localdate().isoformat()
    response = client.post(url, {"handed_over_on": shown, "keys": "3", "water_meter": "125.30",
                                 "electricity_meter": "3562.0", "condition": "墙面完好"})
    assert response.status_code == 302
    assert Lease.objects.get(pk=lease.pk).status == LeaseStatus.ACTIVE


def test_lease_signing_can_be_rated_once_signed():
    from complaints.services import service_rating_submit

    lease = issued_lease()
    with pytest.raises(services.PortalError, match="签约后"):
        service_rating_submit(rater=lease.tenant, service="lease_signing", subject=lease, score=5)
    sign(lease)
    rating = service_rating_submit(rater=lease.tenant, service="lease_signing", subject=Lease.objects.get(pk=lease.pk),
                                   score=4, comment="办理很快")
    assert rating.district_id == lease.district_id


def test_the_lease_page_lists_the_policy_parameters_it_was_made_with(client, dave):
    """The caseworker reads which parameter versions set the rent and deposit, as a table, not raw JSON."""
    lease = sign(issued_lease())
    assert lease.parameters_used  # the terms record every parameter they read
    client.force_login(dave)
    page = client.get(reverse("admin:rent_lease_change", args=[lease.pk])).content.decode()
    assert "适用的政策参数" in page and "<th scope=\"row\">" in page
    assert "租金系数" in page or "rent.coefficient" in page
    assert '"key":' not in page and "&quot;key&quot;" not in page  # no JSON shown
