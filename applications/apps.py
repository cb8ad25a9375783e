from django.apps import AppConfig
from django.urls import reverse


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = "申请与审核"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        from applications import selectors
        from applications import statistics as application_statistics
        from applications.demo import applicants as applications_demo
        from applications.demo import review as demo_review
        from gongzufang import demo, roles, statistics
        from gongzufang.models.parameters import register_parameter_usage
        from gongzufang.models.users import Role
        from notifications import subjects

        view = ["applications.view_application", "applications.view_householdmember", "applications.view_material",
                "applications.view_checkresult", "applications.view_ruleevaluation",
                "applications.view_noticeobjection", "applications.view_recheckrequest"]
        roles.extend_role_permissions({
            Role.STREET_CLERK: [*view, "applications.change_application", "applications.accept_application",
                                "applications.return_application", "applications.register_applicant",
                                "applications.street_review_application"],
            Role.DISTRICT_CASEWORKER: [*view, "applications.change_application",
                                       "applications.district_review_application", "applications.rerun_check",
                                       "applications.resolve_objection"],
            Role.CITY_CASEWORKER: [*view, "applications.change_application", "applications.city_review_application",
                                   "applications.rerun_check", "applications.resolve_objection",
                                   "applications.decide_recheck", "applications.view_full_id_number"],
        })
        # Groups are synced after gongzufang migrates, before this app's permissions exist on a fresh
        # database; sync again once they do.
        post_migrate.connect(_sync_groups, sender=self, dispatch_uid="applications_sync_role_groups")
        # Its figures in the bureau's report (/api/v1/statistics/).
        statistics.register(application_statistics.application_figures, notes=application_statistics.NOTES)
        # The parameter rows its evaluations applied may never change (gongzufang/models/parameters.py).
        register_parameter_usage(selectors.parameter_rows_used)
        for seeder in (applications_demo.seed, demo_review.seed):
            if seeder not in demo.DEMO_SEEDERS:
                demo.DEMO_SEEDERS.append(seeder)
        if demo_review.logins not in demo.DEMO_LOGIN_LISTS:
            demo.DEMO_LOGIN_LISTS.append(demo_review.logins)
        # Messages about an application link to its progress page in the message centre.
        subjects.register("applications.Application", link_text="查看办理进度",
                          url=lambda application: reverse("applications:progress", args=[application.pk]))


def _sync_groups(**kwargs):
    from gongzufang.roles import sync_role_groups

    sync_role_groups()
