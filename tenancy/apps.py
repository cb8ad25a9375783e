from django.apps import AppConfig


class TenancyConfig(AppConfig):
    """资格年审、动态监管与退出: what happens to a household while it holds a lease or a grant."""

    name = "tenancy"
    verbose_name = "年审、监管与退出"
    default_auto_field = "django.db.models.BigAutoField"
