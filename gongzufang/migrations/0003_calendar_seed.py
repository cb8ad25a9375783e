from django.db import migrations


def seed_calendar(apps, schema_editor):
    # The seeding code lives in gongzufang.workdays so the monthly task (ensure_calendar_years) can run
    # it again when a newer chinesecalendar brings new years; it takes the models so these historical
    # ones can be passed.
    from gongzufang.workdays import seed_official_years

    seed_official_years(apps.get_model("gongzufang", "CalendarYear"), apps.get_model("gongzufang", "CalendarDay"))


class Migration(migrations.Migration):
    """Seeds the working-day calendar with every official year chinesecalendar knows (2004–2026 in
    1.11.0), storing only the days that differ from Monday–Friday. Reversing keeps the rows: applying
    again skips years already present."""

    dependencies = [("gongzufang", "0002_daqing_places")]
    operations = [migrations.RunPython(seed_calendar, migrations.RunPython.noop)]
