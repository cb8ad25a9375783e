"""District scoping, written once (DESIGN §3).

Every model that belongs to a district uses `ScopedQuerySet` (or `ScopedManager`) and names the
path to its district (and, where it has one, its street). Admin, pages, API and tasks all call
`Model.objects.for_user(principal)`; a record outside the principal's area is simply not in the
queryset, so a lookup by id answers 404 — never 403, never data.

A principal is a `User` or an `ApiClient`; both expose `scope` (a `Scope`).
"""

from dataclasses import dataclass

from django.db import models
from django.http import Http404


@dataclass(frozen=True)
class Scope:
    city_wide: bool = False
    district_id: int | None = None
    street_id: int | None = None

    @property
    def empty(self):
        return not (self.city_wide or self.district_id or self.street_id)


NO_SCOPE = Scope()


def scope_of(principal) -> Scope:
    if principal is None or not getattr(principal, "is_active", False):
        return NO_SCOPE
    return getattr(principal, "scope", NO_SCOPE)


class ScopedQuerySet(models.QuerySet):
    def for_user(self, principal):
        """Rows the principal may see: all for city level, own district or street otherwise."""
        scope = scope_of(principal)
        model = self.model
        district_path = getattr(model, "scope_district_path", None)
        street_path = getattr(model, "scope_street_path", None)
        if district_path is None:
            raise TypeError(f"{model.__name__} has no scope_district_path; it cannot be scoped")
        if scope.city_wide:
            return self.all()
        if scope.street_id and street_path:
            return self.filter(**{street_path: scope.street_id})
        if scope.district_id:
            key = "pk" if district_path == "self" else district_path
            return self.filter(**{key: scope.district_id})
        return self.none()

    def get_for_user_or_404(self, principal, **lookup):
        """Look up and authorise in one step: missing and not-yours give the same 404."""
        try:
            return self.for_user(principal).get(**lookup)
        except (self.model.DoesNotExist, ValueError, TypeError):
            raise Http404 from None


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)
