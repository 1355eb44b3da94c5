"""Every granted and spent amount entered before the ledger gets a source, without changing any figure:
one "migrated" funding decision per project holding its granted amounts as they stood, and one "migrated"
spending entry per line with spent money. Corrections keep their reason as the source."""

from django.db import migrations
from django.utils import timezone

MIGRATED = "migrated"


def forwards(apps, schema_editor):
    FundingLine = apps.get_model("funding", "FundingLine")
    HistoricalFundingLine = apps.get_model("funding", "HistoricalFundingLine")
    FundingDecision = apps.get_model("funding", "FundingDecision")
    FundingDecisionLine = apps.get_model("funding", "FundingDecisionLine")
    SpendingEntry = apps.get_model("funding", "SpendingEntry")
    today = timezone.localdate()

    def first_seen(line_ids):
        first = HistoricalFundingLine.objects.filter(id__in=line_ids).order_by("history_date").first()
        return timezone.localdate(first.history_date) if first else today

    granted = FundingLine.objects.filter(kind="line").exclude(granted_amount=0).order_by("project_id", "year")
    by_project = {}
    for line in granted:
        by_project.setdefault(line.project_id, []).append(line)
    for project_id, lines in by_project.items():
        decision = FundingDecision.objects.create(
            project_id=project_id, kind=MIGRATED, decided_on=first_seen([line.pk for line in lines]),
            reference=MIGRATED, note="Granted amounts as they stood before funding decisions were recorded.")
        FundingDecisionLine.objects.bulk_create([
            FundingDecisionLine(decision=decision, instrument_id=line.instrument_id, year=line.year,
                                amount=line.granted_amount) for line in lines])
        FundingLine.objects.filter(pk__in=[line.pk for line in lines]).update(
            granted_decision=decision, granted_source=f"Migrated {decision.decided_on:%Y-%m-%d}")
    for line in FundingLine.objects.filter(kind="line").exclude(spent_amount=0):
        day = first_seen([line.pk])
        SpendingEntry.objects.create(project_id=line.project_id, instrument_id=line.instrument_id, year=line.year,
                                     date=day, source=MIGRATED, reference=MIGRATED, amount=line.spent_amount)
        FundingLine.objects.filter(pk=line.pk).update(spent_source=f"Migrated {day:%Y-%m-%d}")
    for line in FundingLine.objects.filter(kind="correction"):
        FundingLine.objects.filter(pk=line.pk).update(granted_source=line.note[:200], spent_source=line.note[:200])


def backwards(apps, schema_editor):
    FundingLine = apps.get_model("funding", "FundingLine")
    FundingDecision = apps.get_model("funding", "FundingDecision")
    SpendingEntry = apps.get_model("funding", "SpendingEntry")
    FundingLine.objects.filter(granted_decision__kind=MIGRATED).update(granted_decision=None, granted_source="")
    FundingLine.objects.filter(spent_source__startswith="Migrated").update(spent_source="")
    FundingLine.objects.filter(kind="correction").update(granted_source="", spent_source="")
    SpendingEntry.objects.filter(source=MIGRATED).delete()
    FundingDecision.objects.filter(kind=MIGRATED).delete()


class Migration(migrations.Migration):
    dependencies = [("funding", "0003_add_funding_decisions_and_spending")]
    operations = [migrations.RunPython(forwards, backwards)]
