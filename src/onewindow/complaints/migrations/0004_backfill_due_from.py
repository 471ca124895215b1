"""Data: when the current round's deadline of each existing matter started (``due_from``), replayed
from its events the way ``complaints.services._move`` sets it, so a calendar change recomputes
it from the right moment."""

from django.db import migrations

MAX_ROUNDS = 2


def backfill(apps, schema_editor):
    Complaint = apps.get_model("complaints", "Complaint")
    ComplaintEvent = apps.get_model("complaints", "ComplaintEvent")
    for complaint in Complaint.objects.filter(due_from__isnull=True).iterator(chunk_size=2000):
        start, round_ = complaint.received_at, 0
        for event in ComplaintEvent.objects.filter(complaint=complaint).order_by("at", "pk"):
            if event.action == "assign":
                round_ = 1
            elif event.action == "reassign" or (event.action == "unsatisfied" and event.to_status != "referred"):
                start, round_ = event.at, round_ + 1
            elif event.action == "escalate" and event.from_status == "assigned" and round_ < MAX_ROUNDS:
                start, round_ = event.at, round_ + 1
        Complaint.objects.filter(pk=complaint.pk).update(due_from=start)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0003_add_due_provisional")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
