"""URLs for roll notifications (under /roll-notifications/, namespace "roll"), included from config/urls.py."""

from django.urls import path

from schools.roll import views

app_name = "roll"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("admission/new/", views.admission_new, name="admission_new"),
    path("deletion/new/", views.deletion_new, name="deletion_new"),
    path("upload/", views.upload, name="upload"),
    path("upload/template.csv", views.upload_template, name="upload_template"),
    path("overdue/", views.overdue, name="overdue"),
    path("no-notice/", views.missing, name="missing"),
    path("pupil/<int:pk>/", views.pupil_notices, name="pupil"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/match/", views.match, name="match"),
    path("<int:pk>/triage/", views.triage, name="triage"),
]
