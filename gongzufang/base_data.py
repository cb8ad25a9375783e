"""The data every deployment needs before anyone logs in: districts and streets, the working-day
calendar, the guide's forms of assistance, the policy parameters' defaults and the role groups.

Data migrations create it once; `ensure_base_data()` runs after every `migrate` and after every
`flush` too (tests that commit for real flush the database), and only adds what is missing — it
never changes what city staff have edited.
"""

from django.apps import apps


def ensure_base_data():
    from gongzufang.data.daqing import DISTRICTS, load_places
    from gongzufang.data.guide import load_guide
    from gongzufang.models import Community, District, Street
    from gongzufang.parameters import seed_defaults
    from gongzufang.roles import sync_role_groups
    from gongzufang.workdays import ensure_calendar_years

    expected_communities = sum(len(c) for *_d, streets in DISTRICTS for *_s, c in streets)
    if Community.objects.count() < expected_communities:
        load_places(District, Street, Community)
    ensure_calendar_years()
    get = apps.get_model
    if not (get("gongzufang", "AssistanceForm").objects.exists() and get("gongzufang", "ArticleCategory").objects.exists()):
        load_guide(*(get("gongzufang", name) for name in (
            "ArticleCategory", "AssistanceForm", "AssistanceCategory", "AssistanceCondition", "AssistanceMaterial",
            "AssistanceStep")))
    seed_defaults()
    sync_role_groups()


def after_migrate(**kwargs):
    ensure_base_data()
