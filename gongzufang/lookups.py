"""`field__in_array=values`: `IN`, sent as one array parameter on PostgreSQL.

    CheckResult.objects.filter(id_number_hash__in_array=hashes)   # … WHERE id_number_hash = ANY(%s)

The ORM's `__in` turns every value into a placeholder of its own and prepares each for the database
in Python (~3 µs a value, measured in the monthly monitoring run, where a chunk's queries carry 2 500
to 5 800 values; docs/benchmarks.md). Here the list goes as it is: for integer and text columns
(ids, foreign keys, hashes, codes), whose values need no preparing for the database. Elsewhere (SQLite),
and for a subquery, it is `__in`. Registered on every field and foreign key by `GongzufangConfig.ready()`.
"""

from django.db.models import Field, ForeignObject
from django.db.models.expressions import ColPairs
from django.db.models.fields.related_lookups import RelatedIn
from django.db.models.lookups import In


class _AsArray:
    lookup_name = "in_array"

    def as_sql(self, compiler, connection):
        if (connection.vendor != "postgresql" or hasattr(self.rhs, "as_sql")
                or isinstance(self.lhs, ColPairs)):  # (a subquery, a composite key: as `__in`)
            return super().as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        # An empty list is '{}', which matches nothing (`__in` raises EmptyResultSet instead).
        return f"{lhs} = ANY(%s)", (*lhs_params, list(self.rhs))


class InArray(_AsArray, In):
    pass


class RelatedInArray(_AsArray, RelatedIn):
    pass


def register():
    Field.register_lookup(InArray)
    ForeignObject.register_lookup(RelatedInArray)  # (a foreign key's lookups are its own)
