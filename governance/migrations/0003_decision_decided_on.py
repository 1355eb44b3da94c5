"""A decision is dated by its meeting: `decided_on` is the meeting's (local) date. Existing decisions take
the date of their meeting."""

from django.db import migrations, models
from django.utils import timezone


def date_from_meeting(apps, schema_editor):  # type: ignore[no-untyped-def]
    Decision = apps.get_model("governance", "Decision")
    for decision in Decision.objects.select_related("meeting").only("pk", "meeting__starts_at").iterator():
        Decision.objects.filter(pk=decision.pk).update(decided_on=timezone.localdate(decision.meeting.starts_at))


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0002_workflow_record_ideas_criteria"),
    ]

    operations = [
        migrations.AddField(
            model_name="decision",
            name="decided_on",
            field=models.DateField(db_index=True, null=True, verbose_name="decision date",
                                   help_text="The date of the meeting that took the decision."),
        ),
        migrations.RunPython(date_from_meeting, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="decision",
            name="decided_on",
            field=models.DateField(db_index=True, blank=True, verbose_name="decision date",
                                   help_text="The date of the meeting that took the decision."),
        ),
    ]
