from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from gongzufang.models import Community, District, Street

from .scoped import DistrictScopedAdminMixin


class StreetInline(admin.TabularInline):
    model = Street
    extra = 0
    fields = ["code", "name", "is_town"]
    show_change_link = True


@admin.register(District)
class DistrictAdmin(DistrictScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["code", "name", "is_county"]
    search_fields = ["code", "name"]
    inlines = [StreetInline]


@admin.register(Street)
class StreetAdmin(DistrictScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["code", "name", "district", "is_town"]
    list_filter = ["district"]
    search_fields = ["code", "name"]
    list_select_related = ["district"]


@admin.register(Community)
class CommunityAdmin(DistrictScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["code", "name", "street"]
    list_filter = ["street__district"]
    search_fields = ["code", "name", "street__name"]
    list_select_related = ["street__district"]
