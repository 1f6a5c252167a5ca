import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("legal", "0004_payment_files"),
        ("schools", "0024_home_education"),
    ]

    operations = [
        migrations.AddField(
            model_name="schoolattendanceorder",
            name="home_education_record",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="school_attendance_orders", to="schools.homeeducationrecord"),
        ),
    ]
