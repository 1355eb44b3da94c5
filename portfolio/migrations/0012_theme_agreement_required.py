import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Every theme now has its agreement (0011 gave one to each): the column becomes required."""

    dependencies = [("portfolio", "0011_themes_to_agreements")]

    operations = [
        migrations.AlterField(
            model_name="theme",
            name="agreement",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="themes",
                                    to="portfolio.agreement", verbose_name="agreement"),
        ),
    ]
