from django.apps import AppConfig
from django.urls import reverse


class RentConfig(AppConfig):
    name = "rent"
    verbose_name = "租金收缴"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        from gongzufang import demo, roles, statistics
        from gongzufang.models.users import Role
        from notifications import subjects

        from .billing import statistics as billing_statistics
        from .leases import demo as lease_demo
        from .leases.services import register_lease_rateable

        lease_staff = ["rent.view_lease", "rent.change_lease", "rent.hand_over_lease", "rent.view_handover",
                       "rent.add_handover", "rent.change_handover", "rent.view_handoverphoto",
                       "rent.add_handoverphoto", "rent.view_bill", "rent.view_billreminder",
                       "rent.view_billingrun", "rent.view_leasestatuschange", "rent.view_billstatuschange"]
        roles.extend_role_permissions({Role.DISTRICT_CASEWORKER: lease_staff, Role.CITY_CASEWORKER: lease_staff,
                                       Role.STREET_CLERK: ["rent.view_lease", "rent.view_bill"]})
        post_migrate.connect(_sync_groups, sender=self, dispatch_uid="rent_sync_role_groups")
        statistics.register(billing_statistics.rent_figures, notes=billing_statistics.NOTES)
        register_lease_rateable()
        subjects.register("rent.Lease", link_text="查看租赁合同",
                          url=lambda lease: reverse("rent:lease", args=[lease.pk]))
        subjects.register("rent.Bill", link_text="查看我的账单", url=lambda bill: reverse("rent:bills"))
        if lease_demo.seed not in demo.DEMO_SEEDERS:
            demo.DEMO_SEEDERS.append(lease_demo.seed)
        if lease_demo.logins not in demo.DEMO_LOGIN_LISTS:
            demo.DEMO_LOGIN_LISTS.append(lease_demo.logins)
        # The payment half (rent/payments/setup.py): permissions, its figure, subjects, its seeder after the leases'.
        from .payments import setup as payment_setup

        payment_setup.ready()


def _sync_groups(**kwargs):
    from gongzufang.roles import sync_role_groups

    sync_role_groups()
