"""现场选房 in the admin and the offers screen: same rules as online, recorded as at the counter; the
放弃/撤销 buttons from the transitions; another district's offers are 404; the API lists offers scoped."""

import pytest
from django.urls import reverse

from allocation.models import Offer
from tests.allocation.choice_builders import held_offer, open_round

pytestmark = pytest.mark.django_db


def test_counter_choice_in_admin(client, dave):
    _round, rows, units = open_round(dave)
    client.force_login(dave)
    url = reverse("admin:allocation_offer_counter")
    page = client.get(url, {"round": rows[0].round_id, "ref": rows[0].ref}).content.decode()
    assert units[0].number in page and "代为选定" in page
    response = client.post(url, {"round_entry": rows[0].pk, "unit": units[0].pk})
    offer = Offer.objects.get()
    assert response.status_code == 302 and offer.at_counter and offer.chosen_by == dave
    # Same rules: a second choice for the household is refused with the reason shown.
    response = client.post(url, {"round_entry": rows[0].pk, "unit": units[1].pk}, follow=True)
    assert "您已选定房屋" in response.content.decode() and Offer.objects.count() == 1


def test_offer_buttons_and_scoping(client, dave, bob):
    offer = held_offer(dave.district, actor=dave)
    client.force_login(dave)
    change = reverse("admin:allocation_offer_change", args=[offer.pk])
    page = client.get(change).content.decode()
    assert "撤销选房（不计入拒绝）" in page and "登记家庭放弃（计入拒绝）" in page
    listing = client.get(reverse("admin:allocation_offer_changelist")).content.decode()
    assert offer.round_entry.ref in listing and "现场选房" in listing
    response = client.post(reverse("admin:allocation_offer_act", args=[offer.pk, "withdraw"]), {"opinion": "房屋漏水"})
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.status == "withdrawn" and not offer.refusal_counts
    client.force_login(bob)
    assert client.get(change).status_code == 404


def test_api_offers_scoped_and_filtered(api_a, dave, bob):
    from tests.conftest import api_client_for

    ours = held_offer(dave.district, actor=dave)
    theirs = held_offer(bob.district, actor=bob)
    api = api_client_for(api_a)
    assert api.get(f"/api/v1/offers/{theirs.pk}/").status_code == 404
    body = api.get("/api/v1/offers/", {"status": "held"}).json()
    assert [r["id"] for r in body["results"]] == [ours.pk]
    assert body["results"][0]["waitlist_number"] == ours.round_entry.ref
    assert api.get("/api/v1/offers/", {"round": ours.round_entry.round_id}).json()["count"] == 1
    assert api.get("/api/v1/offers/", {"colour": "red"}).status_code == 400
