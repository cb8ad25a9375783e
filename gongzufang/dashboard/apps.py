from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The statistics dashboard's own table: the monthly figures kept by a beat job (ADR 0016)."""

    name = "gongzufang.dashboard"
    label = "dashboard"
    verbose_name = "统计分析"
    default_auto_field = "django.db.models.BigAutoField"
