from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from gongzufang.models import ApiClient, ApiClientStatusChange, PiiAccessLog, User
from gongzufang.models.users import Role

from .readonly import ReadOnlyAdminMixin
from .scoped import DistrictScopedAdminMixin


@admin.register(User)
class UserAdmin(DistrictScopedAdminMixin, SimpleHistoryAdmin, BaseUserAdmin):
    list_display = ["username", "real_name", "id_number_masked", "role", "district", "street", "is_active"]
    list_filter = ["role", "district", "is_active"]
    search_fields = ["username", "real_name", "phone"]

    @admin.display(description=_("身份证号"))
    def id_number_masked(self, obj):
        return obj.id_number_masked
    list_select_related = ["district", "street__district"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("个人信息"), {"fields": ["real_name", "phone", "email"]}),
        (_("角色与区域"), {"fields": ["role", "district", "street", "is_active", "is_staff", "groups"]}),
        (_("时间"), {"fields": ["last_login", "date_joined"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]


class ApiClientStatusChangeInline(admin.TabularInline):
    model = ApiClientStatusChange
    extra = 0
    can_delete = False
    fields = ["created_at", "from_status", "to_status", "actor", "opinion"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ApiClient)
class ApiClientAdmin(DistrictScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "district", "key_prefix", "status", "can_write", "last_used_at", "created_at"]
    list_filter = ["status", "district"]
    search_fields = ["name", "key_prefix"]
    readonly_fields = ["district", "key_prefix", "status", "created_at", "created_by", "last_used_at"]
    fields = ["name", "district", "key_prefix", "status", "can_write", "can_view_full_id", "acting_user",
              "created_at", "created_by", "last_used_at"]
    inlines = [ApiClientStatusChangeInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "acting_user" and field is not None:
            # Only people who may act for a token (the model's clean() checks the token's own district).
            field.queryset = field.queryset.filter(
                is_active=True, role__in=[Role.DISTRICT_CASEWORKER, Role.STREET_CLERK, Role.CITY_CASEWORKER])
        return field
    actions = ["revoke_selected"]

    def has_add_permission(self, request):
        # Tokens are issued with `manage.py issue_api_token` so the secret is shown exactly once.
        return False

    @admin.action(description=_("吊销所选令牌"), permissions=["change"])
    def revoke_selected(self, request, queryset):
        from gongzufang.services.api_clients import api_client_revoke

        count = 0
        for client in queryset:
            if client.is_active:
                api_client_revoke(client=client, actor=request.user, reason=_("管理后台吊销"))
                count += 1
        self.message_user(request, _("已吊销 %(n)d 个令牌。") % {"n": count})


@admin.register(PiiAccessLog)
class PiiAccessLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "user", "api_client", "content_type", "object_id", "field", "purpose"]
    list_filter = ["content_type", "field"]
    date_hierarchy = "created_at"

    def has_delete_permission(self, request, obj=None):
        return False
