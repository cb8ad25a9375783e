from django.db import migrations


class Migration(migrations.Migration):
    """Seeds the working-day calendar from chinesecalendar (filled in by the calendar work)."""

    dependencies = [("gongzufang", "0002_daqing_places")]
    operations = []
