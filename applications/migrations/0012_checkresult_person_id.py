"""Fresh answers found by the person index alone (issue 16, docs/benchmarks.md).

The monthly re-check looks for fresh answers about a chunk's people from elsewhere (another application,
an earlier answer) before asking. With the index on (department, id_number_hash) every row about them had
to be read from the table to learn its date — at 100 000 households 35 000 rows a chunk, 0.6–1.8 s of
PostgreSQL each, to find none fresh. With the application, is_current and id in the index, the rows that
are not the chunk's own current ones are found without reading the table (an index-only scan), and only
they are read whole. No column of this index changes when an answer is said again, so that update stays
in place (HOT, migration 0011).
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("applications", "0011_checkresult_updated_in_place"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="checkresult",
            index=models.Index(fields=["id_number_hash", "department", "application", "is_current", "id"],
                               name="checkresult_person_id"),
        ),
        migrations.RemoveIndex(
            model_name="checkresult",
            name="checkresult_person",
        ),
    ]
