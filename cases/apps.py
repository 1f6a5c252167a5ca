from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Cases and referrals"

    def ready(self):
        # What the schools app's exclusions and attendance pages ask of cases (schools.common.providers).
        from cases import selectors, services
        from schools.common import providers

        providers.provide("exclusions.reintegration_case", services.case_open_or_join_for_exclusion)
        providers.provide("attendance.open_case", selectors.open_attendance_case)
        providers.provide("attendance.open_case_subqueries", selectors.open_attendance_case_subqueries)
