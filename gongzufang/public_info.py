"""Wiring of the public information part (articles, guide, visits) into the city-wide app:
role permissions and the demo seeder. Called once from GongzufangConfig.ready()."""

from gongzufang.models.users import Role

_READ = [
    "gongzufang.view_article",
    "gongzufang.view_articlecategory",
    "gongzufang.view_articleimage",
    "gongzufang.view_articleattachment",
    "gongzufang.view_articlestatuschange",
    "gongzufang.view_assistanceform",
    "gongzufang.view_assistancecategory",
    "gongzufang.view_assistancecondition",
    "gongzufang.view_assistancematerial",
    "gongzufang.view_assistancestep",
]
# City staff write articles and the guide (DESIGN §3); districts and streets read them.
_WRITE = [
    "gongzufang.*_article",
    "gongzufang.*_articlecategory",
    "gongzufang.*_articleimage",
    "gongzufang.*_articleattachment",
    "gongzufang.view_articlestatuschange",
    "gongzufang.*_assistanceform",
    "gongzufang.*_assistancecategory",
    "gongzufang.*_assistancecondition",
    "gongzufang.*_assistancematerial",
    "gongzufang.*_assistancestep",
    "gongzufang.view_dailyvisit",
]

ROLE_PERMISSIONS = {
    Role.STREET_CLERK: _READ,
    Role.DISTRICT_CASEWORKER: [*_READ, "gongzufang.view_dailyvisit"],
    Role.CITY_CASEWORKER: _WRITE,
}


def register():
    from gongzufang import demo, demo_articles, roles

    roles.extend_role_permissions(ROLE_PERMISSIONS)
    if demo_articles.seed not in demo.DEMO_SEEDERS:
        demo.DEMO_SEEDERS.append(demo_articles.seed)
