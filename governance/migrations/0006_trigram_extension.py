# pg_trgm for the overlap suggestions (trigram similarity of project titles, governance.selectors.similar_projects).
# A trusted extension since PostgreSQL 13, so the database owner may create it; nothing happens on SQLite.
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("governance", "0005_merge_20261202_1008")]

    operations = [TrigramExtension()]
