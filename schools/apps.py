from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "schools"
    verbose_name = "Schools, pupils and families"

    def ready(self):
        from schools.accounts import checks, sessions  # noqa: F401  (registers deploy checks; connects sign-in)
        from schools.common import providers

        # The demo authority (schools.demo.load_demo) runs every app's demo step in this order, inside one transaction.
        providers.provide_step("demo", order=10, name="registers", function="schools.attendance.demo.load")
        providers.provide_step("demo", order=30, name="exclusions", function="schools.exclusions.demo.load")
        providers.provide_step("demo", order=35, name="roll", function="schools.roll.demo.load")
        providers.provide_step("home", order=22, name="roll", function="schools.roll.home.panel")
        providers.provide_step("demo", order=35, name="home_education", function="schools.ehe.demo.load")
        providers.provide_step("demo", order=60, name="ctf_review", function="schools.attendance.review.demo.load")
