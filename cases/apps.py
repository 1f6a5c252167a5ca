from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Cases and referrals"

    def ready(self):
        # What the schools app's exclusions and attendance pages ask of cases (schools.common.providers).
        from cases import selectors, services, tasks
        from schools.common import providers

        providers.provide("exclusions.reintegration_case", services.case_open_or_join_for_exclusion)
        providers.provide("attendance.open_case", selectors.open_attendance_case)
        providers.provide("attendance.open_case_subqueries", selectors.open_attendance_case_subqueries)
        providers.provide("attendance.link_school_ids", selectors.link_school_ids)
        # After a register import: early-warning alerts for the schools it touched (schools.tasks).
        providers.provide_step("attendance.imported", order=10, name="early-warning alerts",
                               function=tasks.evaluate_after_import)
        providers.provide_step("home", order=15, name="casework", function="cases.home.panel")
        providers.provide_step("home", order=25, name="alerts", function="cases.alerts.home.panel")
        # The demo's alerts, once everything they read and go to is loaded (reporting's link officers are order 70).
        providers.provide_step("demo", order=80, name="alerts", function="cases.alerts.demo.load")
