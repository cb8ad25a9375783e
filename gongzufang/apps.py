from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig as BaseAdminConfig


class GongzufangConfig(AppConfig):
    name = "gongzufang"
    verbose_name = "城市基础数据"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.apps import apps
        from django.db.models.signals import post_migrate

        from gongzufang import base_data, lookups, public_info, workdays  # noqa: F401  (workdays connects its cache signals)

        lookups.register()  # field__in_array

        # Once per migrate or flush, after the last app: every app's permissions exist only then.
        # (post_migrate is sent only for apps that have models.)
        last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
        post_migrate.connect(base_data.after_migrate, sender=last, dispatch_uid="gongzufang.base_data")
        public_info.register()  # articles, guide, visits: role permissions and demo seeder


class AdminConfig(BaseAdminConfig):
    default_site = "gongzufang.admin_site.PortalAdminSite"
