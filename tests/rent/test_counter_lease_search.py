"""登记柜台缴费 finds the lease by search in the caseworker's district (the admin's autocomplete on the
lease's number, the tenant's name or the unit), not in one list of every lease; an unpaid bill's page
leads to the form with its lease already chosen; the bill list leads to 欠费账龄分析."""

import pytest
from django.urls import reverse

from rent.models import Payment
from tests.rent import payment_builders as pb

pytestmark = pytest.mark.django_db


def _search(client, term):
    response = client.get(reverse("admin:autocomplete"), {
        "app_label": "rent", "model_name": "payment", "field_name": "lease", "term": term})
    assert response.status_code == 200
    return [row["text"] for row in response.json()["results"]]


def test_the_counter_form_searches_the_districts_leases_by_tenant_or_number(client, dave):
    mine = pb.lease(name="赵秀兰")
    pb.lease(name="钱国强")
    theirs = pb.lease(district_code="230603", name="赵秀梅")
    client.force_login(dave)
    page = client.get(reverse("admin:rent_payment_add")).content.decode()
    assert "admin-autocomplete" in page and mine.number not in page  # no list of every lease in the page
    assert _search(client, "赵秀") == [str(mine)]  # 赵秀梅 is another district's
    assert _search(client, mine.number) == [str(mine)]
    assert str(theirs) not in _search(client, theirs.number)


def test_an_unpaid_bills_page_leads_to_the_form_with_its_lease_chosen(client, dave):
    lease = pb.lease(name="孙丽")
    bill = pb.bill(lease)
    client.force_login(dave)
    page = client.get(reverse("admin:rent_bill_change", args=[bill.pk])).content.decode()
    link = f"{reverse('admin:rent_payment_add')}?lease={lease.pk}"
    assert f'href="{link}"' in page and "登记柜台缴费" in page
    form = client.get(link).content.decode()
    assert f'<option value="{lease.pk}" selected>{lease}</option>' in form
    response = client.post(link, {"lease": lease.pk, "method": "cash", "amount": str(bill.amount), "receipt_no": "GT-9001"})
    assert response.status_code == 302
    bill.refresh_from_db()
    assert bill.status == "paid" and Payment.objects.get().receipt_no == "GT-9001"
    # paid: the bill's page no longer offers it
    assert f'href="{link}"' not in client.get(reverse("admin:rent_bill_change", args=[bill.pk])).content.decode()


def test_the_bill_list_leads_to_the_ageing_analysis(client, dave):
    client.force_login(dave)
    page = client.get(reverse("admin:rent_bill_changelist")).content.decode()
    assert f'href="{reverse("admin:rent_bill_ageing")}"' in page and "导出" in page
