from django.apps import AppConfig


class InterventionsConfig(AppConfig):
    name = "interventions"
    verbose_name = "Interventions and traded services"

    def ready(self):
        from schools.common import providers

        providers.provide_step("demo", order=20, name="casework", function="interventions.demo.load")
        providers.provide_step("demo", order=40, name="traded", function="interventions.traded.demo.load")
