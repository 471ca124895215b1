"""Data: the licence number counters move to the one counter in core (issue 16: one mechanism
for one job), each stem ``S`` as the scope ``licence:S``."""

from django.db import migrations

PREFIX = "licence:"


def forwards(apps, schema_editor):
    old = apps.get_model("licences", "NumberSequence")
    new = apps.get_model("core", "NumberSequence")
    rows = old.objects.values_list("stem", "last").order_by("pk").iterator(chunk_size=2000)
    new.objects.bulk_create((new(scope=PREFIX + stem, last=last) for stem, last in rows), batch_size=2000)


def backwards(apps, schema_editor):
    old = apps.get_model("licences", "NumberSequence")
    new = apps.get_model("core", "NumberSequence")
    ours = new.objects.filter(scope__startswith=PREFIX)
    rows = ours.values_list("scope", "last").order_by("pk").iterator(chunk_size=2000)
    old.objects.bulk_create(
        (old(stem=scope.removeprefix(PREFIX), last=last) for scope, last in rows), batch_size=2000
    )
    ours.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("licences", "0002_add_verification_due_provisional"),
        ("core", "0001_number_sequence"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
