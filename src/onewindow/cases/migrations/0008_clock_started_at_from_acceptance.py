"""Cases accepted before these fields existed: the clock started at acceptance, and the warning
falls where the earlier rule put it (four fifths of the wall-clock time to the promised deadline);
both are recomputed exactly whenever the case's deadlines next change (suspension, extension,
calendar import)."""

from django.db import migrations
from django.db.models import F


def forwards(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Case.objects.filter(clock_started_at__isnull=True).update(clock_started_at=F("accepted_at"))
    open_states = ("accepted", "reviewing", "inspecting", "deciding")
    rows = (
        Case.objects.filter(status__in=open_states, promised_due_at__isnull=False, warning_at__isnull=True)
        .values_list("pk", "accepted_at", "promised_due_at")
        .iterator(chunk_size=5000)
    )
    batch = []
    for pk, accepted_at, due in rows:
        batch.append(Case(pk=pk, warning_at=accepted_at + (due - accepted_at) * 0.8))
        if len(batch) == 5000:
            Case.objects.bulk_update(batch, ["warning_at"])
            batch.clear()
    Case.objects.bulk_update(batch, ["warning_at"])


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_legal_rules_fields")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
