from django.apps import AppConfig


class AllocationConfig(AppConfig):
    name = "allocation"
    verbose_name = "轮候与配租"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate
        from django.urls import reverse

        from applications.signals import application_approved
        from gongzufang import demo, roles, statistics
        from gongzufang.models.users import Role
        from notifications import subjects

        from . import demo as allocation_demo
        from . import statistics as allocation_statistics
        from .services import on_application_approved

        # City approval of a 实物配租 application makes its waitlist entry, in the same transaction.
        application_approved.connect(on_application_approved, dispatch_uid="allocation_waitlist_enter")
        staff = ["allocation.view_waitlistentry", "allocation.manage_waitlist", "allocation.view_allocationround",
                 "allocation.add_allocationround", "allocation.manage_round", "allocation.view_offer",
                 "allocation.choose_at_counter", "allocation.view_roundentry", "allocation.view_roundunit"]
        roles.extend_role_permissions({Role.DISTRICT_CASEWORKER: staff,
                                       Role.CITY_CASEWORKER: [*staff, "allocation.void_round"]})
        post_migrate.connect(_sync_groups, sender=self, dispatch_uid="allocation_sync_role_groups")
        statistics.register(allocation_statistics.allocation_figures, notes=allocation_statistics.NOTES)
        if allocation_demo.seed not in demo.DEMO_SEEDERS:
            demo.DEMO_SEEDERS.append(allocation_demo.seed)
        from .choice import demo as choice_demo  # after the rounds: choices in the drawn round

        if choice_demo.seed not in demo.DEMO_SEEDERS:
            demo.DEMO_SEEDERS.append(choice_demo.seed)
        subjects.register("allocation.WaitlistEntry", link_text="查看我的轮候",
                          url=lambda entry: reverse("allocation:my_waitlist"))
        # 选房 (allocation/choice): the offer's messages link to the offer page.
        subjects.register("allocation.Offer", link_text="查看选房结果",
                          url=lambda offer: reverse("allocation:offer", args=[offer.pk]))


def _sync_groups(**kwargs):
    from gongzufang.roles import sync_role_groups

    sync_role_groups()
