from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Reporting"

    def ready(self):
        from schools.common import providers

        providers.provide_step("demo", order=70, name="reporting", function="reporting.demo.load")
