from django.apps import AppConfig


class AllocationConfig(AppConfig):
    name = "allocation"
    verbose_name = "轮候与配租"
    default_auto_field = "django.db.models.BigAutoField"
