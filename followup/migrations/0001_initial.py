# The follow-up app's first migration: empty, so that its parts (progress reports, indicators) can each add
# theirs on top of a common root.
from django.db import migrations


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("portfolio", "0005_merge_20261202_1008"),
        ("funding", "0006_eura_import"),
        ("governance", "0005_merge_20261202_1008"),
    ]

    operations: list[migrations.operations.base.Operation] = []
