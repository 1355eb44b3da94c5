# One idea concept (issue 15, item 5; docs/governance.md "Project ideas"): an idea is a project in status
# "idea" with its preparation record, and the record's stage follows the project's status.
#
# Reconciles existing data, nothing deleted:
# 1. every project in status "idea" or "proposal" without a preparation record gets one (the idea list then
#    lists the ideas the dashboard counts);
# 2. existing records take the stage of their project's status (approved ideas were left at "proposal");
# 3. approved ideas still known by a provisional code (IDEA-001) get the next code of their agreement's
#    series and, where blank, dates from the years of the approved funding; the old code stays in the
#    project's history (a history row with the reason).
# Self-contained on purpose (no imports from the apps' code, which may change after this migration).
import datetime as dt

from django.db import migrations, models
from django.utils import timezone

OPEN_STAGES = ("idea", "preparing")
STAGE_OF_STATUS = {"proposal": "proposal", "approved": "project", "running": "project", "closed": "project",
                   "rejected": "rejected", "withdrawn": "dropped"}
APPROVING = ("approved", "conditional")
PROVISIONAL = "IDEA-"


def _prefix(agreement_code):
    return "".join(word[0] for word in agreement_code.split("-") if word[:1].isalpha()).upper() or "P"


def _next_code(Project, agreement):
    prefix = f"{_prefix(agreement.code)}-"
    used = {c.upper() for c in Project.objects.filter(agreement=agreement, code__istartswith=prefix)
            .values_list("code", flat=True)}
    n = max([int(c[len(prefix):]) for c in used if c[len(prefix):].isdigit()], default=0) + 1
    while f"{prefix}{n:03d}" in used:
        n += 1
    return f"{prefix}{n:03d}"


def _history_row(apps, project, reason, now):
    HistoricalProject = apps.get_model("portfolio", "HistoricalProject")
    names = {f.attname for f in project._meta.concrete_fields}
    values = {f.attname: getattr(project, f.attname) for f in HistoricalProject._meta.concrete_fields
              if f.attname in names}
    HistoricalProject.objects.create(**values, history_date=now, history_type="~",
                                     history_change_reason=reason[:100], history_user=None)


def forwards(apps, schema_editor):
    Project = apps.get_model("portfolio", "Project")
    ProjectIdea = apps.get_model("governance", "ProjectIdea")
    Proposal = apps.get_model("governance", "Proposal")
    Decision = apps.get_model("governance", "Decision")
    DecisionFundingLine = apps.get_model("governance", "DecisionFundingLine")
    ProposalFundingLine = apps.get_model("governance", "ProposalFundingLine")
    now = timezone.now()
    drafts = set(Proposal.objects.filter(status="draft").values_list("project_id", flat=True))

    have = set(ProjectIdea.objects.values_list("project_id", flat=True))
    ProjectIdea.objects.bulk_create([
        ProjectIdea(project_id=pk, stage="proposal" if status == "proposal"
                    else "preparing" if pk in drafts else "idea")
        for pk, status in Project.objects.filter(status__in=("idea", "proposal")).exclude(pk__in=have)
        .values_list("pk", "status")])

    for idea in ProjectIdea.objects.select_related("project"):
        status = idea.project.status
        if status == "idea":
            stage = idea.stage if idea.stage in OPEN_STAGES else (
                "preparing" if idea.project_id in drafts else "idea")
        else:
            stage = STAGE_OF_STATUS.get(status, idea.stage)
        if stage != idea.stage:
            ProjectIdea.objects.filter(pk=idea.pk).update(stage=stage)

    decided = (Project.objects.filter(status__in=("approved", "running", "closed"), code__istartswith=PROVISIONAL)
               .select_related("agreement").order_by("pk"))
    for project in decided:
        old_code = project.code
        project.code = _next_code(Project, project.agreement)
        changed = ["code"]
        decision = (Decision.objects.filter(proposal__project=project, outcome__in=APPROVING)
                    .order_by("-decided_at", "-pk").first())
        years = []
        if decision is not None:
            years = sorted(set(DecisionFundingLine.objects.filter(decision=decision, amount__gt=0)
                               .values_list("year", flat=True))) or sorted(set(
                ProposalFundingLine.objects.filter(proposal_id=decision.proposal_id)
                .values_list("year", flat=True)))
        if years:
            start = project.start_date
            end = project.end_date
            first = dt.date(years[0], 1, 1)
            if decision.decided_on and decision.decided_on > first:
                first = decision.decided_on
            last = min(dt.date(years[-1], 12, 31), project.agreement.valid_until)
            if start is None and first <= (end or last):
                project.start_date = first
                changed.append("start_date")
            if end is None and last >= (project.start_date or first):
                project.end_date = last
                changed.append("end_date")
        project.version += 1
        project.save(update_fields=[*changed, "version"])
        _history_row(apps, project, f"governance: {old_code} → {project.code}", now)


def backwards(apps, schema_editor):
    # Records, codes and dates stay (nothing is lost); only the stages the old code did not know go back
    # to the old "proposal".
    ProjectIdea = apps.get_model("governance", "ProjectIdea")
    ProjectIdea.objects.filter(stage__in=("project", "rejected")).update(stage="proposal")


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0006_trigram_extension"),
        ("portfolio", "0006_project_contact"),
    ]

    operations = [
        migrations.AlterField(
            model_name="projectidea",
            name="stage",
            field=models.CharField(
                choices=[("idea", "Idea"), ("preparing", "Being prepared"), ("proposal", "Proposal"),
                         ("project", "Became a project"), ("rejected", "Rejected"), ("dropped", "Dropped")],
                db_index=True, default="idea", max_length=10, verbose_name="stage"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
