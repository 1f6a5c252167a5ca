"""Reporting URLs, included under /reports/ from config/urls.py. Names and paths keep clear of the words the
service navigation reads to mark other areas as current (pupil, attendance, school; /exclusions/, /provision/)."""

from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("absence/pupils/", views.pupils, name="drill_absence"),
    path("exclusion-records/", views.exclusions, name="drill_exclusions"),
    path("glossary/", views.glossary, name="glossary"),
    path("termly/", views.report_list, name="report_list"),
    path("termly/new/", views.report_create, name="report_create"),
    path("termly/<int:pk>/", views.report_detail, name="report_detail"),
    path("termly/<int:pk>/report.pdf", views.report_download, name="report_download"),
    path("export/<slug:table>/", views.table_export, name="table_export"),
    path("<slug:slug>/", views.section, name="section"),
]
