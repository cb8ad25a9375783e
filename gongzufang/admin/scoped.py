"""The admin side of district scoping: every admin of a district-bound model uses this mixin."""

from django.http import Http404

from gongzufang.scoping import Scope, in_scope, scope_of


class DistrictScopedAdminMixin:
    """Lists, change pages, history and deletes only show the user's own district.

    Another district's id answers 404, not the admin's "does not exist" redirect.
    Foreign-key choices that are themselves district-bound are scoped the same way, so nothing
    can be moved into another district from a form.
    """

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def _require_in_scope(self, request, object_id):
        from django.contrib.admin.utils import unquote

        if not in_scope(request.user, self.get_queryset(request), unquote(object_id)):
            raise Http404

    # simple-history's views look rows up on their own (and fall back to the history of deleted
    # rows), so they are checked against the scoped queryset first.
    def history_view(self, request, object_id, extra_context=None):
        self._require_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._require_in_scope(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context=extra_context)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if hasattr(related, "scope_district_path") and hasattr(related.objects, "for_user"):
            kwargs.setdefault("queryset", related.objects.for_user(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def user_scope(self, request) -> Scope:
        return scope_of(request.user)
