from django.apps import AppConfig


class LegalConfig(AppConfig):
    name = "legal"
    verbose_name = "Legal interventions"

    def ready(self):
        from legal import worklist
        from schools.common import providers

        providers.provide_step("demo", order=50, name="legal", function="legal.demo.load")
        providers.provide_step("demo", order=55, name="legal-messages", function="legal.messaging.demo.load")
        providers.provide_step("demo", order=56, name="legal-ehe", function="legal.ehe.demo.load")
        providers.provide("attendance.threshold_columns", worklist.threshold_columns)
        providers.provide("attendance.threshold_last_actions", worklist.threshold_last_actions)
        providers.provide_step("home", order=40, name="legal", function=worklist.home_panel)
