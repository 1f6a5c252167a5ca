from django.apps import AppConfig


class LegalConfig(AppConfig):
    name = "legal"
    verbose_name = "Legal interventions"

    def ready(self):
        from schools.common import providers

        providers.provide_step("demo", order=50, name="legal", function="legal.demo.load")
