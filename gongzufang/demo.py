"""Demo data shared by `seed_demo`. Each app adds its own part through `DEMO_SEEDERS`.

Everything is get-or-create, so a second run changes nothing.
"""

import functools

from django.contrib.auth.hashers import make_password

from gongzufang.base_data import ensure_base_data
from gongzufang.models import District, Street, User
from gongzufang.models.users import Role
from gongzufang.roles import group_for

DEMO_PASSWORD = "Daqing-2026"

# (username, real name, role, district code, street code)
DEMO_USERS = [
    ("admin", "系统管理员", None, None, None),
    ("shi", "陈敏", Role.CITY_CASEWORKER, None, None),
    ("saertu", "刘伟", Role.DISTRICT_CASEWORKER, "230602", None),
    ("longfeng", "张强", Role.DISTRICT_CASEWORKER, "230603", None),
    ("saertu_jd", "陈静", Role.STREET_CLERK, "230602", "230602001"),
    ("longfeng_jd", "赵敏", Role.STREET_CLERK, "230603", "230603001"),
    ("shenqingren", "王丽", Role.APPLICANT, None, None),
]

# Other apps append callables here (from their AppConfig.ready) that seed their own demo data.
DEMO_SEEDERS = []
# ... and callables returning more log-ins to print: [(username, name, what it shows)].
DEMO_LOGIN_LISTS = []
# ... the log-ins of the operation manual's journeys, one per journey: [(username, name, what it shows)]
# (docs/manual/demo-accounts.md), and what waits in each caseworker's queue: [(username, name, what)].
DEMO_JOURNEY_LISTS = []
DEMO_QUEUE_LISTS = []


@functools.cache
def demo_password_hash():
    """One hash of the demo password for every demo account (hashing is deliberately slow: 0.3 s)."""
    return make_password(DEMO_PASSWORD)


def _user(username, real_name, role, district_code, street_code):
    user = User.objects.filter(username=username).first()
    if user:
        return user
    superuser = role is None
    user = User.objects.create(
        username=username, real_name=real_name, password=demo_password_hash(),
        role=Role.CITY_CASEWORKER if superuser else role,
        is_staff=superuser or role != Role.APPLICANT, is_superuser=superuser,
        district=District.objects.get(code=district_code) if district_code else None,
        street=Street.objects.get(code=street_code) if street_code else None,
    )
    group = group_for(user.role)
    if group and not superuser:
        user.groups.add(group)
    return user


def seed():
    ensure_base_data()
    accounts = []
    for username, real_name, role, district_code, street_code in DEMO_USERS:
        user = _user(username, real_name, role, district_code, street_code)
        where = (user.street or user.district or "全市") if user.is_caseworker else ""
        accounts.append((username, "超级管理员" if user.is_superuser else user.get_role_display(), str(where)))
    for seeder in DEMO_SEEDERS:
        seeder()
    return accounts
