"""Staff roles as Django groups with their model permissions (DESIGN §3).

Each role's permissions are listed here, once; `sync_role_groups` (run after every migrate)
makes the groups match. Scoping to a street or district is not a permission: it is the
`for_user` queryset, applied everywhere.
"""

from django.contrib.auth.models import Group, Permission

from gongzufang.models.users import Role

ROLE_GROUP_NAMES = {
    Role.STREET_CLERK: "街道受理员",
    Role.DISTRICT_CASEWORKER: "区县经办人",
    Role.CITY_CASEWORKER: "市级经办人",
}

# "app_label.codename"; a codename ending in "_*" takes every permission of that model.
ROLE_PERMISSIONS = {
    Role.STREET_CLERK: [
        "gongzufang.view_district",
        "gongzufang.view_street",
        "gongzufang.view_community",
        "gongzufang.view_policyparameter",
        "gongzufang.view_calendarday",
        "gongzufang.view_calendaryear",
    ],
    Role.DISTRICT_CASEWORKER: [
        "gongzufang.view_district",
        "gongzufang.view_street",
        "gongzufang.view_community",
        "gongzufang.view_user",
        "gongzufang.view_policyparameter",
        "gongzufang.view_calendarday",
        "gongzufang.view_calendaryear",
        "gongzufang.view_apiclient",
    ],
    Role.CITY_CASEWORKER: [
        "gongzufang.view_district",
        "gongzufang.*_street",
        "gongzufang.*_community",
        "gongzufang.view_user",
        "gongzufang.*_policyparameter",
        "gongzufang.*_calendarday",
        "gongzufang.*_calendaryear",
        "gongzufang.*_apiclient",
        "gongzufang.view_piiaccesslog",
        "django_celery_beat.view_periodictask",
        "django_celery_beat.change_periodictask",
    ],
}


def extend_role_permissions(extra):
    """Apps add their own permissions here (call from AppConfig.ready)."""
    for role, perms in extra.items():
        ROLE_PERMISSIONS.setdefault(role, []).extend(p for p in perms if p not in ROLE_PERMISSIONS[role])


def _resolve(spec):
    app_label, codename = spec.split(".", 1)
    qs = Permission.objects.filter(content_type__app_label=app_label)
    if codename.startswith("*_"):
        model = codename[2:]
        return list(qs.filter(codename__in=[f"{a}_{model}" for a in ("add", "change", "delete", "view")]))
    return list(qs.filter(codename=codename))


def sync_role_groups():
    for role, name in ROLE_GROUP_NAMES.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = [p for spec in ROLE_PERMISSIONS.get(role, []) for p in _resolve(spec)]
        group.permissions.set(perms)


def group_for(role):
    name = ROLE_GROUP_NAMES.get(role)
    return Group.objects.get(name=name) if name else None
