"""Admin pieces for records nobody edits: logs, visit counts, ratings and status histories."""

from django.contrib import admin


class ReadOnlyAdminMixin:
    """A list and detail to read; no add, change or delete (audit records stay as written)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInlineMixin(ReadOnlyAdminMixin):
    """Rows shown under their record (status history, photos, ratings); mix with any inline class."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_view_permission(self, request, obj=None):
        return True


class ReadOnlyInline(ReadOnlyInlineMixin, admin.TabularInline):
    pass
