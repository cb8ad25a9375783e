"""申请退租 where a tenant looks for it (issue 18): on 我的租赁合同 and on the lease's page, for an active
lease with no exit case under way — and nowhere else: not for a lease still to sign, not while an exit
is being handled (it comes back when that case is withdrawn), not on another person's pages. The menu
leads logged-in people to 我的合同."""

import re

import pytest
from django.urls import reverse

from tenancy import services
from tests.applications.builders import applicant
from tests.rent.builders import active_lease, issued_lease

pytestmark = pytest.mark.django_db


def exit_links(html):
    """The hrefs of the 申请退租 links on a page."""
    return re.findall(r'<a class="button" href="([^"]+)">申请退租', html)


def pages(client, lease):
    return (client.get(reverse("rent:leases")).content.decode(),
            client.get(reverse("rent:lease", args=[lease.pk])).content.decode())


def test_an_active_lease_without_an_exit_offers_the_exit_application(client):
    lease = active_lease()
    client.force_login(lease.tenant)
    listing, detail = pages(client, lease)
    apply_url = reverse("tenancy:exit_apply", args=[lease.pk])
    assert exit_links(listing) == [apply_url] and exit_links(detail) == [apply_url]
    form = client.get(apply_url).content.decode()
    assert "<h1>退租申请</h1>" in form and lease.number in form


def test_no_exit_link_while_a_case_is_open_and_back_when_it_is_withdrawn(client, dave):
    lease = active_lease()
    client.force_login(lease.tenant)
    case = services.exit_apply(lease=lease, actor=lease.tenant, reason="已购买商品住房")
    listing, detail = pages(client, lease)
    assert exit_links(listing) == [] and exit_links(detail) == []
    assert lease.number in listing  # the lease is still listed, only the link is gone
    services.exit_withdraw(case=case, actor=dave, opinion="承租人撤回退租申请")
    listing, detail = pages(client, lease)
    assert exit_links(detail) == [reverse("tenancy:exit_apply", args=[lease.pk])]


def test_a_lease_still_to_sign_has_no_exit_link(client):
    lease = issued_lease()
    client.force_login(lease.tenant)
    listing, detail = pages(client, lease)
    assert "阅读并签署合同" in listing
    assert exit_links(listing) == [] and exit_links(detail) == []


def test_another_person_sees_no_exit_link_for_the_lease(client):
    lease = active_lease()
    client.force_login(applicant(name="路人甲"))
    assert exit_links(client.get(reverse("rent:leases")).content.decode()) == []
    assert client.get(reverse("rent:lease", args=[lease.pk])).status_code == 404


def test_the_menu_leads_a_logged_in_person_to_my_leases(client, alice):
    menu = r'<details class="site-menu">.*?</details>'
    leases = f'<a href="{reverse("rent:leases")}">我的合同</a>'
    assert leases not in re.search(menu, client.get("/").content.decode(), re.S).group(0)
    client.force_login(alice)
    assert leases in re.search(menu, client.get("/").content.decode(), re.S).group(0)


def test_the_links_for_a_page_of_leases_cost_one_query_whatever_their_number(django_assert_num_queries):
    from tenancy.selectors import exit_apply_links

    leases = [active_lease() for _ in range(3)] + [issued_lease()]
    services.exit_apply(lease=leases[1], actor=leases[1].tenant, reason="已购买商品住房")
    with django_assert_num_queries(1):
        one = exit_apply_links(leases[:1])
    with django_assert_num_queries(1):
        every = exit_apply_links(leases)
    assert set(one) == {leases[0].pk}
    assert set(every) == {leases[0].pk, leases[2].pk}  # not the one under exit, not the one still to sign
