from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Reporting"

    def ready(self):
        from schools.common import providers

        providers.provide_step("demo", order=70, name="reporting", function="reporting.demo.load")
        providers.provide_step("attendance.imported", order=20, name="dashboard figures",
                               function="reporting.tasks.refresh_after_import")
