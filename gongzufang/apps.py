from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig as BaseAdminConfig


class GongzufangConfig(AppConfig):
    name = "gongzufang"
    verbose_name = "城市基础数据"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        from gongzufang import public_info, roles

        post_migrate.connect(roles.sync_role_groups_after_migrate, sender=self)
        public_info.register()  # articles, guide, visits: role permissions and demo seeder


class AdminConfig(BaseAdminConfig):
    default_site = "gongzufang.admin_site.PortalAdminSite"
