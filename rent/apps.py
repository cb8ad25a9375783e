from django.apps import AppConfig


class RentConfig(AppConfig):
    name = "rent"
    verbose_name = "租金收缴"
