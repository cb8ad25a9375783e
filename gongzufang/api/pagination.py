"""Pagination of the API: page numbers (documented first, kept for compatibility) and, on the big
lists, a keyset cursor that stays fast on deep pages.

`?page=N` counts the rows and skips (N-1) pages with OFFSET, which the database must walk: fine for
the first pages, slow at page 2000 of 100k applications. `?cursor=` (empty for the first page, then
the `next` link) continues after the last row seen with `WHERE (ordering) > (last row's values)`,
which an index answers directly however deep the page; it gives no `count`, and `page` is ignored.
"""

import base64
import binascii
import json

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from .errors import FieldNotFound

MAX_PAGE_SIZE = 200


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    page_size_query_description = "每页条数：1 以上的整数，默认 50，最多 200（超过按 200 返回）；其他值返回 400"
    page_query_description = "页码（从 1 开始）"
    max_page_size = MAX_PAGE_SIZE  # a larger request is capped, not refused

    def get_page_size(self, request):
        # DRF falls back to the default for `page_size=abc` or `0`: the client would get 50 rows and
        # think it asked for them. A value that is not a whole number from 1 up is a 400 naming it.
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None:
            try:
                size = int(raw.strip())
            except ValueError:
                size = 0
            if size < 1 or not raw.strip().isdigit():
                raise ValidationError({self.page_size_query_param: [_("请填写 1 以上的整数（最多 %(max)s）。")
                                                                    % {"max": self.max_page_size}]})
        return super().get_page_size(request)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters


class CursorNotFound(FieldNotFound):
    """A cursor that does not decode, or was made for another ordering, points at no page: 404 like
    a page number past the end (the cursor itself is opaque text, any string is well formed)."""

    summary = "游标无效或与当前排序不符，请从首页（cursor=）重新开始。"

    def __init__(self):
        super().__init__("cursor", _("该游标不指向任何一页。"))


class KeysetPagination:
    """Keyset ("seek") pagination over the queryset's own ordering, ended by the primary key so that
    no two rows tie. Empty values sort last in either direction, on every database."""

    cursor_query_param = "cursor"

    def __init__(self, page_size):
        self.page_size = page_size

    @staticmethod
    def ordering_of(queryset):
        model = queryset.model
        terms = list(queryset.query.order_by) or list(model._meta.ordering or [])
        ordering = []
        for term in terms:
            name = term.lstrip("-") if isinstance(term, str) else None
            if name == "pk":
                name = model._meta.pk.name
            try:
                field = model._meta.get_field(name) if name else None
            except FieldDoesNotExist:
                field = None
            if field is None or not getattr(field, "concrete", False) or field.is_relation:
                # Only the viewsets' own `ordering_fields` reach here; a new one that is not a plain
                # column of the model must be left out of cursor lists.
                raise ImproperlyConfigured(f"keyset pagination cannot order by {term!r}")
            ordering.append((field, term.startswith("-")))
            if field.primary_key:
                break
        if not ordering or not ordering[-1][0].primary_key:
            # Ties are broken by the primary key, in the direction of the last term.
            ordering.append((model._meta.pk, ordering[-1][1] if ordering else False))
        return ordering

    @staticmethod
    def _signature(ordering):
        return ",".join(("-" if desc else "") + field.name for field, desc in ordering)

    @staticmethod
    def _order_by(ordering):
        # NULLS LAST only where a column may be empty: on a NOT NULL column PostgreSQL would not
        # match it to a backward index scan, and "-id" would sort the whole table.
        terms = []
        for field, descending in ordering:
            nulls = {"nulls_last": True} if field.null else {}
            terms.append(F(field.attname).desc(**nulls) if descending else F(field.attname).asc(**nulls))
        return terms

    def _decode(self, token, ordering):
        try:
            padded = token + "=" * (-len(token) % 4)
            payload = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8"))
            raw = payload["v"]
            if payload.get("o") != self._signature(ordering) or not isinstance(raw, list) or len(raw) != len(ordering):
                raise CursorNotFound
            values = []
            for (field, _desc), value in zip(ordering, raw, strict=True):
                if value is None and not field.null:
                    raise CursorNotFound
                values.append(None if value is None else field.to_python(value))
            return values
        except (ValueError, TypeError, KeyError, AttributeError, UnicodeError, binascii.Error,
                DjangoValidationError, OverflowError):
            raise CursorNotFound from None

    def _encode(self, row, ordering):
        values = []
        for field, _desc in ordering:
            value = field.value_from_object(row)
            if value is not None and not isinstance(value, int | bool | str):
                value = value.isoformat() if hasattr(value, "isoformat") else str(value)
            values.append(value)
        payload = json.dumps({"o": self._signature(ordering), "v": values}, separators=(",", ":"))
        return base64.urlsafe_b64encode(payload.encode("utf-8")).decode("ascii").rstrip("=")

    @staticmethod
    def _beyond(field, descending, value):
        """Rows strictly after `value` on this column alone (empty values come last)."""
        if value is None:
            return Q(pk__in=[])  # nothing sorts after an empty value
        after = Q(**{f"{field.attname}__{'lt' if descending else 'gt'}": value})
        return after | Q(**{f"{field.attname}__isnull": True}) if field.null else after

    @staticmethod
    def _same(field, value):
        return Q(**{f"{field.attname}__isnull": True}) if value is None else Q(**{field.attname: value})

    def _after(self, ordering, values):
        # (a, b, id) after (x, y, z): a > x OR (a = x AND b > y) OR (a = x AND b = y AND id > z).
        either = Q(pk__in=[])
        for i, (field, descending) in enumerate(ordering):
            condition = self._beyond(field, descending, values[i])
            for j in range(i):
                condition &= self._same(ordering[j][0], values[j])
            either |= condition
        first, descending = ordering[0]
        if first.null:
            return either
        # The first column's bound repeated outside the OR lets the index seek straight to it.
        return Q(**{f"{first.attname}__{'lte' if descending else 'gte'}": values[0]}) & either

    def paginate_queryset(self, queryset, request):
        self.request = request
        ordering = self.ordering_of(queryset)
        queryset = queryset.order_by(*self._order_by(ordering))
        token = request.query_params.get(self.cursor_query_param, "").strip()
        if token:
            queryset = queryset.filter(self._after(ordering, self._decode(token, ordering)))
        rows = list(queryset[: self.page_size + 1])
        self.next_token = self._encode(rows[self.page_size - 1], ordering) if len(rows) > self.page_size else None
        return rows[: self.page_size]

    def get_paginated_response(self, data):
        next_link = None
        if self.next_token:
            url = remove_query_param(self.request.build_absolute_uri(), "page")
            next_link = replace_query_param(url, self.cursor_query_param, self.next_token)
        return Response({"next": next_link, "previous": None, "results": data})


class PageOrCursorPagination(Pagination):
    """Page numbers by default; `?cursor=` switches to keyset pagination (see the module docstring)."""

    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset, request, view=None):
        self._keyset = None
        if self.cursor_query_param in request.query_params:  # `page` is then ignored
            self._keyset = KeysetPagination(self.get_page_size(request))
            return self._keyset.paginate_queryset(queryset, request)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        if self._keyset is not None:
            return self._keyset.get_paginated_response(data)
        return super().get_paginated_response(data)

    def get_paginated_response_schema(self, schema):
        described = super().get_paginated_response_schema(schema)
        described["required"] = ["results"]
        described["properties"]["count"]["description"] = "总条数（游标分页时不返回）"
        described["properties"]["next"]["description"] = "下一页链接；游标分页时含 cursor"
        return described

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        parameters.append({
            "name": self.cursor_query_param, "required": False, "in": "query",
            "description": "游标分页（深翻页仍然快）：首页传空值 `cursor=`，之后沿用响应中的 next 链接；"
                           "不返回 count，有 cursor 时忽略 page；无效或与排序不符的游标返回 404",
            "schema": {"type": "string"},
        })
        return parameters
