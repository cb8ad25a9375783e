from django.apps import AppConfig


class TenancyConfig(AppConfig):
    """资格年审、动态监管与退出: what happens to a household while it holds a lease or a grant."""

    name = "tenancy"
    verbose_name = "年审、监管与退出"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate
        from django.urls import reverse

        from applications.eligibility.rules import register_ban_finder
        from gongzufang import demo, roles, statistics
        from gongzufang.models.users import Role
        from notifications import subjects
        from rent.leases.selectors import register_lease_link

        from . import demo as tenancy_demo
        from . import statistics as tenancy_statistics
        from .selectors import exit_apply_links
        from .services import bans_in_force

        # The eligibility rules (a lower layer) ask here whether a ban is in force.
        register_ban_finder(bans_in_force)
        # The tenant's lease pages (rent, a lower layer) offer 申请退租 through the link rent asks for.
        register_lease_link(exit_apply_links)
        handle = [f"tenancy.{verb}_{model}" for model in ("annualreview", "monitoringalert", "exitcase")
                  for verb in ("view", "change")] + ["tenancy.view_reapplicationban", "tenancy.view_monitoringrun"]
        roles.extend_role_permissions({Role.DISTRICT_CASEWORKER: handle, Role.CITY_CASEWORKER: handle})
        post_migrate.connect(_sync_groups, sender=self, dispatch_uid="tenancy_sync_role_groups")
        statistics.register(tenancy_statistics.tenancy_figures, notes=tenancy_statistics.NOTES)
        subjects.register("tenancy.AnnualReview", link_text="办理年审",
                          url=lambda review: reverse("tenancy:review", args=[review.pk]))
        subjects.register("tenancy.ExitCase", link_text="查看退出事项",
                          url=lambda case: reverse("tenancy:exit", args=[case.pk]))
        if tenancy_demo.seed not in demo.DEMO_SEEDERS:
            demo.DEMO_SEEDERS.append(tenancy_demo.seed)
        from . import demo_story

        for listing, lists in ((demo_story.logins, demo.DEMO_LOGIN_LISTS), (demo_story.journey, demo.DEMO_JOURNEY_LISTS),
                               (demo_story.queues, demo.DEMO_QUEUE_LISTS)):
            if listing not in lists:
                lists.append(listing)


def _sync_groups(**kwargs):
    from gongzufang.roles import sync_role_groups

    sync_role_groups()
