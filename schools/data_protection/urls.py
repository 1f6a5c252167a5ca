"""URLs for data protection (issue 9): included under /data-protection/ with the namespace data_protection."""

from django.urls import path

from schools.data_protection import views

app_name = "data_protection"

urlpatterns = [
    path("pupils/<int:pk>/access/", views.access_report, name="access_report"),
    path("pupils/<int:pk>/subject-access/", views.subject_access, name="subject_access"),
    path("subject-access/<int:pk>/", views.sar_detail, name="sar_detail"),
    path("subject-access/<int:pk>/download/", views.sar_download, name="sar_download"),
    path("retention/", views.retention, name="retention"),
]
