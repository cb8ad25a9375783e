from django.apps import AppConfig


class SubsidiesConfig(AppConfig):
    name = "subsidies"
    verbose_name = "租赁补贴"
    default_auto_field = "django.db.models.BigAutoField"
