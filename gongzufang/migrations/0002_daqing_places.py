from django.db import migrations


def load(apps, schema_editor):
    from gongzufang.data.daqing import load_places

    load_places(apps.get_model("gongzufang", "District"), apps.get_model("gongzufang", "Street"), apps.get_model("gongzufang", "Community"))


class Migration(migrations.Migration):
    dependencies = [("gongzufang", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
