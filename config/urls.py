from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from cases import api as cases_api
from config.health import healthz
from interventions import api as interventions_api
from interventions.traded import api as traded_api
from legal import api as legal_api
from legal.payments import api as payment_files_api
from legal.returns import api as returns_api
from reporting import api as reporting_api
from schools import api as schools_api
from schools import views
from schools.accounts import api as two_factor_api
from schools.accounts import views as two_factor_views
from schools.attendance import api as attendance_api
from schools.attendance import urls as attendance_urls
from schools.attendance import views as attendance_views
from schools.carers import urls as carer_urls
from schools.duplicates import api as duplicates_api
from schools.ehe import api as ehe_api
from schools.ehe import urls as ehe_urls
from schools.exclusions import api as exclusion_api
from schools.exclusions import urls as exclusion_urls
from schools.roll import api as roll_api

router = DefaultRouter()
router.register("schools", schools_api.SchoolViewSet, basename="api-school")
router.register("pupils", schools_api.PupilViewSet, basename="api-pupil")
router.register("enrolments", schools_api.EnrolmentViewSet, basename="api-enrolment")
router.register("exclusions", exclusion_api.ExclusionViewSet, basename="api-exclusion")
router.register("placements", exclusion_api.PlacementViewSet, basename="api-placement")
router.register("part-time-timetables", exclusion_api.PartTimeTimetableViewSet, basename="api-part-time-timetable")
router.register("managed-moves", exclusion_api.ManagedMoveViewSet, basename="api-managed-move")
router.register("ap-providers", exclusion_api.APProviderViewSet, basename="api-ap-provider")
router.register("fair-access-referrals", exclusion_api.FairAccessViewSet, basename="api-fair-access")
router.register("cme-records", exclusion_api.CMERecordViewSet, basename="api-cme-record")
router.register("home-education", ehe_api.HomeEducationViewSet, basename="api-home-education")
router.register("roll-notifications", roll_api.RollNotificationViewSet, basename="api-roll-notification")
router.register("duplicates", duplicates_api.DuplicateViewSet, basename="api-duplicate")
router.register("duplicate-merges", duplicates_api.PupilMergeViewSet, basename="api-pupil-merge")
router.register("attendance/pupils", attendance_api.AttendancePupilViewSet, basename="api-attendance-pupil")
router.register("attendance/overview", attendance_api.AttendanceOverviewViewSet, basename="api-attendance-overview")
router.register("attendance/penalty-notice-threshold", attendance_api.PnThresholdViewSet, basename="api-pn-threshold")
router.register("attendance/imports", attendance_api.AttendanceImportViewSet, basename="api-attendance-import")
router.register("attendance/ctf-review", attendance_api.CtfReviewViewSet, basename="api-ctf-review")
router.register("cases", cases_api.CaseViewSet, basename="api-case")
router.register("referrals", cases_api.ReferralViewSet, basename="api-referral")
router.register("chronology", cases_api.ChronologyEntryViewSet, basename="api-chronology")
router.register("tasks", cases_api.TaskViewSet, basename="api-task")
router.register("tsms", cases_api.TsmViewSet, basename="api-tsm")
router.register("interventions", interventions_api.InterventionViewSet, basename="api-intervention")
router.register("plans", interventions_api.PlanViewSet, basename="api-plan")
router.register("traded/services", traded_api.TradedServiceViewSet, basename="api-traded-service")
router.register("traded/bookings", traded_api.BookingViewSet, basename="api-traded-booking")
router.register("traded/packages", traded_api.PackageViewSet, basename="api-traded-package")
router.register("traded/invoices", traded_api.InvoiceViewSet, basename="api-traded-invoice")
router.register("legal/requests", legal_api.PenaltyNoticeRequestViewSet, basename="api-pn-request")
router.register("legal/penalty-notices", legal_api.PenaltyNoticeViewSet, basename="api-penalty-notice")
router.register("legal/payments", legal_api.PaymentViewSet, basename="api-pn-payment")
router.register("legal/pathways", legal_api.PathwayViewSet, basename="api-legal-pathway")
router.register("legal/contracts", legal_api.ContractViewSet, basename="api-legal-contract")
router.register("legal/prosecutions", legal_api.ProsecutionViewSet, basename="api-prosecution")
router.register("legal/payment-files", payment_files_api.PaymentFileViewSet, basename="api-payment-file")
router.register("legal/payment-lines", payment_files_api.PaymentLineViewSet, basename="api-payment-line")
router.register("legal/returns", returns_api.ParentalResponsibilityReturnViewSet, basename="api-pr-return")
router.register("reports/runs", reporting_api.ReportRunViewSet, basename="api-report-run")
router.register("reports/national-figures", reporting_api.NationalFigureViewSet, basename="api-national-figure")

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", two_factor_views.sign_in, name="login"),
    path("sign-in/code/", two_factor_views.sign_in_code, name="login_code"),
    path("account/", two_factor_views.account, name="account"),
    path("account/password/", two_factor_views.password_change, name="password_change"),
    path("account/api-token/", two_factor_views.api_token_issue, name="api_token_issue"),
    path("account/api-token/revoke/", two_factor_views.api_token_revoke, name="api_token_revoke"),
    path("account/two-factor/", two_factor_views.two_factor_setup, name="two_factor_setup"),
    path("account/two-factor/remove/", two_factor_views.two_factor_remove, name="two_factor_remove"),
    path("sign-in/council/", two_factor_views.council_sign_in, name="oidc_sign_in"),
    path("sign-in/council/callback/", two_factor_views.council_callback, name="oidc_callback"),
    path("sign-in/refused/", two_factor_views.sign_in_refused, name="sign_in_refused"),
    path("sign-out/", two_factor_views.sign_out, name="logout"),
    path("pupils/", views.pupil_list, name="pupil_list"),
    path("pupils/new/", views.pupil_create, name="pupil_create"),
    path("pupils/export/", views.pupil_export, name="pupil_export"),
    path("pupils/<int:pk>/", views.pupil_detail, name="pupil_detail"),
    path("pupils/<int:pk>/edit/", views.pupil_edit, name="pupil_edit"),
    path("pupils/<int:pk>/enrolments/new/", views.enrolment_add, name="enrolment_add"),
    path("enrolments/<int:pk>/end/", views.enrolment_end, name="enrolment_end"),
    path("schools/", views.school_list, name="school_list"),
    path("schools/<str:urn>/", views.school_detail, name="school_detail"),
    path("families/", views.family_list, name="family_list"),
    path("families/new/", views.family_create, name="family_create"),
    path("families/<int:pk>/", views.family_detail, name="family_detail"),
    path("families/<int:pk>/edit/", views.family_edit, name="family_edit"),
    path("families/<int:pk>/carers/new/", views.carer_add, name="carer_add"),
    path("carers/", include(carer_urls.carer_patterns)),
    path("pupils/<int:pk>/attendance/", attendance_views.pupil_attendance, name="pupil_attendance"),
    path("schools/<str:urn>/attendance/", attendance_views.school_attendance, name="school_attendance"),
    path("attendance/", attendance_views.la_overview, name="attendance_overview"),
    path("attendance/penalty-notice-threshold/", attendance_views.penalty_notice_list, name="pn_threshold_list"),
    path("attendance/imports/", attendance_views.import_list, name="attendance_import_list"),
    path("attendance/imports/<int:pk>/", attendance_views.import_detail, name="attendance_import_detail"),
    path("attendance/imports/<int:pk>/problems.csv", attendance_views.import_issues, name="attendance_import_issues"),
    path("attendance/", include(attendance_urls.attendance_patterns)),
    path("audit/", views.audit_list, name="audit_list"),
    path("exclusions/", include(exclusion_urls.exclusion_patterns)),
    path("provision/home-education/", include(ehe_urls.patterns)),
    path("provision/", include(exclusion_urls.provision_patterns)),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/download/", views.job_download, name="job_download"),
    path("jobs/<int:pk>/retry/", views.job_retry, name="job_retry"),
    path("cases/", include("cases.urls")),
    path("interventions/", include("interventions.urls")),
    path("traded/", include("interventions.traded.urls")),
    path("legal/", include("legal.urls")),
    path("reports/", include("reporting.urls")),
    path("data-protection/", include("schools.data_protection.urls")),
    path("roll-notifications/", include("schools.roll.urls")),
    path("duplicates/", include("schools.duplicates.urls")),
    path("api/legal/figures/", legal_api.LegalFiguresView.as_view(), name="api-legal-figures"),
    path("api/reports/metrics/", reporting_api.ReportMetricsView.as_view(), name="api-report-metrics"),
    path("api/", include(router.urls)),
    path("api/auth/token/", two_factor_api.obtain_token, name="api_token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # Swagger UI sets style attributes as it draws; its script is served separately (the split view) so scripts
    # stay 'self'-only even here.
    path("api/docs/", csp_update({"style-src": ["'unsafe-inline'"]})(
        SpectacularSwaggerSplitView.as_view(url_name="api_schema")), name="api_docs"),
    path("healthz/", healthz, name="healthz"),
    # The admin site's own sign-in form knows no second step: its sign-in is ours.
    path("admin/login/", login_not_required(RedirectView.as_view(pattern_name="login", query_string=True))),
    path("admin/", admin.site.urls),
]

handler403 = "schools.views.error_403"
handler404 = "schools.views.error_404"
handler500 = "schools.views.error_500"
