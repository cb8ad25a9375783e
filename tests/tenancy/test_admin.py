"""The caseworkers' queues: scoped to the district, due dates shown, buttons from the transitions."""

import pytest
from django.urls import reverse

from tenancy import services
from tenancy.models import AnnualReview, ExitStatus
from tests.rent.builders import active_lease
from tests.tenancy.builders import lease_with_anniversary_in

pytestmark = pytest.mark.django_db


def test_queues_are_scoped_and_the_buttons_act(client, dave, bob):
    lease = lease_with_anniversary_in(10)
    services.open_annual_reviews(notify=False)
    review = AnnualReview.objects.get(lease=lease)
    case = services.exit_open(lease=active_lease(), ground="vacant", origin="caseworker", facts="连续空置", actor=dave)
    client.force_login(dave)
    page = client.get(reverse("admin:tenancy_annualreview_changelist")).content.decode()
    assert review.number in page and f"{review.due_on:%Y}" in page
    change = client.get(reverse("admin:tenancy_exitcase_change", args=[case.pk])).content.decode()
    assert "告知并给予陈述申辩期" in change
    client.post(reverse("admin:tenancy_exitcase_act", args=[case.pk, "notify"]))
    case.refresh_from_db()
    assert case.status == ExitStatus.STATEMENT
    refused = client.post(reverse("admin:tenancy_exitcase_act", args=[case.pk, "decide"]), {"opinion": "x"},
                          follow=True).content.decode()
    assert "陈述申辩期尚未届满" in refused

    client.force_login(bob)
    assert review.number not in client.get(reverse("admin:tenancy_annualreview_changelist")).content.decode()
    assert client.get(reverse("admin:tenancy_exitcase_change", args=[case.pk])).status_code == 404
    assert client.post(reverse("admin:tenancy_exitcase_act", args=[case.pk, "withdraw"]),
                       {"opinion": "x"}).status_code == 404
    case.refresh_from_db()
    assert case.status == ExitStatus.STATEMENT
