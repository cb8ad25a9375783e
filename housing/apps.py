from django.apps import AppConfig


class HousingConfig(AppConfig):
    name = "housing"
    verbose_name = "房源与配租"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        from gongzufang import demo, roles, statistics
        from gongzufang.models.users import Role

        from . import demo as housing_demo
        from . import statistics as housing_statistics

        stock = ["housing.view_estate", "housing.view_building", "housing.view_unit", "housing.view_renovation",
                 "housing.view_estatephoto", "housing.view_unitphoto"]
        manage = [
            "housing.add_estate", "housing.change_estate", "housing.view_estate",
            "housing.add_building", "housing.change_building", "housing.view_building",
            "housing.add_unit", "housing.change_unit", "housing.view_unit",
            "housing.*_renovation", "housing.*_estatephoto", "housing.*_unitphoto",
            "housing.view_unitstatuschange", "housing.view_estatestatuschange",
        ]
        roles.extend_role_permissions({
            Role.STREET_CLERK: stock,
            Role.DISTRICT_CASEWORKER: manage,
            Role.CITY_CASEWORKER: manage,
        })
        # The groups are synced after gongzufang migrates, before this app's permissions exist on a
        # fresh database; sync again once they do.
        post_migrate.connect(_sync_groups, sender=self, dispatch_uid="housing_sync_role_groups")
        # Its figures in the bureau's report (/api/v1/statistics/).
        statistics.register(housing_statistics.unit_figures, notes=housing_statistics.NOTES)
        if housing_demo.seed not in demo.DEMO_SEEDERS:
            demo.DEMO_SEEDERS.append(housing_demo.seed)


def _sync_groups(**kwargs):
    from gongzufang.roles import sync_role_groups

    sync_role_groups()
