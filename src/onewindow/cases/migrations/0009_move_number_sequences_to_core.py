"""Data: the application and draft (and complaint) counters move to the one counter in core
(issue 16: one mechanism for one job); scopes are kept as they are."""

from django.db import migrations


def forwards(apps, schema_editor):
    old = apps.get_model("cases", "NumberSequence")
    new = apps.get_model("core", "NumberSequence")
    rows = old.objects.values_list("scope", "last").order_by("pk").iterator(chunk_size=2000)
    new.objects.bulk_create((new(scope=scope, last=last) for scope, last in rows), batch_size=2000)


def backwards(apps, schema_editor):
    old = apps.get_model("cases", "NumberSequence")
    new = apps.get_model("core", "NumberSequence")
    ours = new.objects.exclude(scope__startswith="licence:")
    rows = ours.values_list("scope", "last").order_by("pk").iterator(chunk_size=2000)
    old.objects.bulk_create((old(scope=scope, last=last) for scope, last in rows), batch_size=2000)
    ours.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_clock_started_at_from_acceptance"),
        ("core", "0001_number_sequence"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
