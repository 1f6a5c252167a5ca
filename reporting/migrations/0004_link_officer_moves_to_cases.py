# The school link officer moved down to the cases app (cases.models.SchoolLinkOfficer), so casework (early-warning
# alerts go to a school's link officer) and the attendance pages can use it without importing reporting. The table
# stays where it is, under its old name: this migration and cases 0005 move the model in Django's state only.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('reporting', '0003_report_run_internal'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='SchoolLinkOfficer')],
            database_operations=[],
        ),
    ]
