from django.apps import AppConfig
from django.urls import reverse


class SubsidiesConfig(AppConfig):
    name = "subsidies"
    verbose_name = "租赁补贴"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        from applications.signals import application_approved
        from gongzufang import demo, roles, statistics
        from gongzufang.models.parameters import register_parameter_usage
        from gongzufang.models.users import Role
        from notifications import subjects

        from . import demo as subsidies_demo
        from . import statistics as subsidies_statistics
        from .receivers import on_application_approved

        # A 租赁补贴 application approved: its grant, in the same transaction.
        application_approved.connect(on_application_approved, dispatch_uid="subsidies_grant_on_approval")
        view = ["subsidies.view_subsidygrant", "subsidies.view_subsidybatch", "subsidies.view_subsidypayment",
                "subsidies.view_grantcomputation", "subsidies.view_marketlease", "subsidies.view_bankaccount",
                "subsidies.view_paymentline"]
        roles.extend_role_permissions({
            Role.DISTRICT_CASEWORKER: [*view, "subsidies.approve_batch", "subsidies.issue_batch_file",
                                       "subsidies.manage_grant"],
            Role.CITY_CASEWORKER: [*view, "subsidies.confirm_batch", "subsidies.issue_batch_file",
                                   "subsidies.manage_grant"],
        })
        # The parameter rows a computation applied may never change (gongzufang/models/parameters.py).
        from . import selectors

        register_parameter_usage(selectors.parameter_rows_used)
        post_migrate.connect(_sync_groups, sender=self, dispatch_uid="subsidies_sync_role_groups")
        statistics.register(subsidies_statistics.subsidy_figures, notes=subsidies_statistics.NOTES)
        statistics.register_series(subsidies_statistics.subsidy_series,
                                   labels={"households_paid_subsidy": "租赁补贴发放户数",
                                           "subsidy_paid_amount": "租赁补贴发放金额"})
        subjects.register("subsidies.SubsidyGrant", link_text="查看我的补贴", url=lambda grant: reverse("subsidies:home"))
        if subsidies_demo.seed not in demo.DEMO_SEEDERS:
            demo.DEMO_SEEDERS.append(subsidies_demo.seed)
        if subsidies_demo.logins not in demo.DEMO_LOGIN_LISTS:
            demo.DEMO_LOGIN_LISTS.append(subsidies_demo.logins)


def _sync_groups(**kwargs):
    from gongzufang.roles import sync_role_groups

    sync_role_groups()
