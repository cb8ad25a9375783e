from django.apps import AppConfig
from django.urls import reverse


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = "意见反馈"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        from gongzufang import demo, roles, statistics
        from gongzufang.models.users import Role
        from notifications import subjects

        from . import demo as complaints_demo
        from . import statistics as complaints_statistics
        from .services import register_builtin_rateables

        handle = ["complaints.view_feedback", "complaints.change_feedback", "complaints.add_feedback",
                  "complaints.reply_feedback", "complaints.view_feedbackphoto", "complaints.view_servicerating"]
        roles.extend_role_permissions({Role.DISTRICT_CASEWORKER: handle, Role.CITY_CASEWORKER: handle})
        # Groups are synced after gongzufang migrates, before this app's permissions exist on a fresh
        # database; sync again once they do.
        post_migrate.connect(_sync_groups, sender=self, dispatch_uid="complaints_sync_role_groups")
        # Its figures in the bureau's report (/api/v1/statistics/).
        statistics.register(complaints_statistics.feedback_figures)
        register_builtin_rateables()
        # Messages about a feedback item link to its page in the message centre.
        subjects.register("complaints.Feedback", link_text="查看反馈",
                          url=lambda feedback: reverse("complaints:detail", args=[feedback.pk]))
        if complaints_demo.seed not in demo.DEMO_SEEDERS:
            demo.DEMO_SEEDERS.append(complaints_demo.seed)


def _sync_groups(**kwargs):
    from gongzufang.roles import sync_role_groups

    sync_role_groups()
