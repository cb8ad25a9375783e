"""A district caseworker sees nothing of another district anywhere in the admin."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.scoping_samples import SAMPLES

pytestmark = pytest.mark.django_db


def scoped_admins():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if getattr(model, "scope_district_path", None)
    ]


def test_every_district_bound_admin_has_a_sample():
    missing = [m._meta.label_lower for m, _ in scoped_admins() if m._meta.label_lower not in SAMPLES]
    assert missing == [], "add a sample to tests/scoping_samples.py for these models"


def test_every_district_bound_admin_uses_the_scoping_mixin():
    from gongzufang.admin.scoped import DistrictScopedAdminMixin

    assert [m for m, a in scoped_admins() if not isinstance(a, DistrictScopedAdminMixin)] == []


@pytest.mark.parametrize("label", sorted(SAMPLES))
def test_another_districts_rows_are_invisible(client, dave, district_a, district_b, label):
    from django.apps import apps

    from gongzufang.models.users import Role

    model = apps.get_model(label)
    if model not in admin.site._registry:
        pytest.skip(f"{label} has no admin")
    theirs = SAMPLES[label](district_b)
    ours = SAMPLES[label](district_a)
    # Give dave every permission of the model, so only scoping stands between him and the row.
    from django.contrib.auth.models import Permission

    dave.user_permissions.add(*Permission.objects.filter(content_type__app_label=model._meta.app_label,
                                                         content_type__model=model._meta.model_name))
    assert dave.role == Role.DISTRICT_CASEWORKER
    client.force_login(dave)
    info = (model._meta.app_label, model._meta.model_name)

    listing = client.get(reverse("admin:%s_%s_changelist" % info), {"all": ""})
    assert listing.status_code == 200
    shown = {obj.pk for obj in listing.context["cl"].result_list}
    assert theirs.pk not in shown
    assert ours.pk in shown

    for view in ("change", "history", "delete"):
        response = client.get(reverse(f"admin:%s_%s_{view}" % info, args=[theirs.pk]))
        assert response.status_code == 404, view
    response = client.get(reverse("admin:%s_%s_change" % info, args=[ours.pk]))
    assert response.status_code == 200


def test_foreign_key_choices_are_scoped(client, dave, district_b):
    """Nothing can be moved into another district through a form: B's streets are not offered."""
    from django.contrib.auth.models import Permission

    from gongzufang.models import Street

    dave.user_permissions.add(*Permission.objects.filter(codename__in=["add_community", "view_community"]))
    client.force_login(dave)
    response = client.get(reverse("admin:gongzufang_community_add"))
    assert response.status_code == 200
    offered = set(response.context["adminform"].form.fields["street"].queryset.values_list("pk", flat=True))
    assert offered == set(Street.objects.filter(district=dave.district).values_list("pk", flat=True))

    other = Street.objects.filter(district=district_b).first()
    response = client.post(reverse("admin:gongzufang_community_add"), {"street": other.pk, "code": "X1", "name": "越权社区"})
    assert response.status_code == 200  # the form is shown again with an error
    assert not other.communities.filter(name="越权社区").exists()
