"""Themes were global tags; they now belong to an agreement and (where the action plan says so) to one of
its priorities. No link between a project and a theme is lost:

- a theme is attached to the agreement of the projects that use it; a theme used by projects of several
  agreements is kept for the first of them and copied (same identifier and names) for each other one, and
  those agreements' projects are re-linked to their copy;
- a theme no project uses goes to the Helsinki–Espoo–Vantaa agreement (the one the demo and the loader
  create), or the first agreement; with no agreement at all there is nothing it could tag, and it is removed;
- the themes of the Helsinki–Espoo–Vantaa agreement whose identifier the annex lists get that priority; the
  rest keep no priority (still usable as tags, shown as "not placed in the action plan").

The mapping is frozen here (portfolio/data/hev.py may change later; a migration must not). Reversing keeps
the copies (the schema step before it allows them) and only clears agreement and priority."""

from django.db import migrations

HEV_CODE = "helsinki-espoo-vantaa-2021-2027"
PRIORITY_OF_SLUG = {
    "energy-renovation": 1, "low-carbon-construction": 1, "district-testbeds": 1, "urban-food": 1,
    "mobility": 1, "sharing-economy": 1, "logistics": 1,
    "health-testbeds": 2, "preventive-wellbeing": 2, "research-to-business": 2, "healthtech-infra": 2,
    "health-capital": 2,
    "school-testbeds": 3, "learning-environments": 3, "edtech-export": 3,
    "emerging-tech": 4, "company-services": 4, "campuses": 4, "talent": 4, "co-development-skills": 4,
}
NAME_COLUMNS = ("name", "name_fi", "name_sv", "name_en")


def forwards(apps, schema_editor):
    Agreement = apps.get_model("portfolio", "Agreement")
    Priority = apps.get_model("portfolio", "Priority")
    Theme = apps.get_model("portfolio", "Theme")
    Project = apps.get_model("portfolio", "Project")
    Through = Project.themes.through

    hev = Agreement.objects.filter(code=HEV_CODE).first()
    fallback = hev or Agreement.objects.order_by("pk").first()
    for theme in Theme.objects.filter(agreement__isnull=True).order_by("pk"):
        agreement_ids = sorted(set(Through.objects.filter(theme_id=theme.pk)
                                   .values_list("project__agreement_id", flat=True)))
        if not agreement_ids:
            if fallback is None:
                theme.delete()
                continue
            agreement_ids = [fallback.pk]
        first, *others = agreement_ids
        theme.agreement_id = first
        theme.save(update_fields=["agreement"])
        for agreement_id in others:
            copy = Theme.objects.create(agreement_id=agreement_id, slug=theme.slug, position=theme.position,
                                        **{c: getattr(theme, c) for c in NAME_COLUMNS})
            Through.objects.filter(theme_id=theme.pk, project__agreement_id=agreement_id).update(theme_id=copy.pk)
    if hev is not None:
        priorities = {p.code: p.pk for p in Priority.objects.filter(agreement=hev)}
        for theme in Theme.objects.filter(agreement=hev, priority__isnull=True, slug__in=PRIORITY_OF_SLUG):
            priority_id = priorities.get(PRIORITY_OF_SLUG[theme.slug])
            if priority_id is not None:
                theme.priority_id = priority_id
                theme.save(update_fields=["priority"])


def backwards(apps, schema_editor):
    apps.get_model("portfolio", "Theme").objects.update(agreement=None, priority=None)


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0010_theme_agreement_priority")]

    operations = [migrations.RunPython(forwards, backwards)]
