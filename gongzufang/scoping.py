"""District scoping, written once (DESIGN §3).

Every model that belongs to a district uses `ScopedQuerySet` (or `ScopedManager`) and names the
path to its district (and, where it has one, its street). Admin, pages, API and tasks all call
`Model.objects.for_user(principal)`; a record outside the principal's area is simply not in the
queryset, so a lookup by id answers 404 — never 403, never data. One helper looks up and authorises
for every object kind: `get_in_scope_or_404(principal, rows, pk)`, and `in_scope(principal, rows, pk)`
where a service refuses with its own message.

A principal is a `User` or an `ApiClient`; both expose `scope` (a `Scope`).
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
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
        return get_in_scope_or_404(principal, self, **lookup)


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


# --- one access helper for every object kind (hc's _get_check_for_user, zulip's access_*_by_id) -----


def _queryset(rows):
    """A model, a manager or a queryset, as a queryset."""
    if isinstance(rows, type) and issubclass(rows, models.Model):
        return rows._default_manager.all()
    return rows.all()


def in_scope_queryset(principal, rows):
    """`rows` (a model, manager or queryset) narrowed to what the principal may see: the model's own
    `for_user`, so a model with a rule of its own (feedback: no street clerks) keeps it. Narrowing an
    already narrowed queryset again changes nothing (`Application.objects.for_staff(user)`)."""
    return _queryset(rows).for_user(principal)


def get_or_404(rows, pk=None, **lookup):
    """The one row of `rows` with this id (or lookup); missing, or an id that is not a number, is 404.
    For look-ups narrowed some other way (the applicant's own rows); scoped ones use get_in_scope_or_404."""
    if pk is not None:
        lookup["pk"] = pk
    queryset = _queryset(rows)
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None


def get_in_scope_or_404(principal, rows, pk=None, **lookup):
    """Look up and authorise in one step: the row if the principal's scope covers it, else 404 — the
    same 404 for missing and for not yours (DESIGN §3). Used by pages, admin, API and services."""
    return get_or_404(in_scope_queryset(principal, rows), pk, **lookup)


def in_scope(principal, rows, pk) -> bool:
    """Whether the principal's scope covers the row with this id (False for a missing row or a bad id):
    for services that refuse with their own message rather than a 404."""
    if pk is None:
        return False
    try:
        return in_scope_queryset(principal, rows).filter(pk=pk).exists()
    except (ValueError, TypeError, ValidationError):
        return False
