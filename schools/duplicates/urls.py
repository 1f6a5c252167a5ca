"""URLs for duplicate pupils (under /duplicates/, namespace "duplicates"), included from config/urls.py."""

from django.urls import path

from schools.duplicates import views

app_name = "duplicates"

urlpatterns = [
    path("", views.duplicate_list, name="list"),
    path("not-the-same/", views.dismiss, name="dismiss"),
    path("pupil/<int:pk>/", views.pupil_duplicates, name="pupil"),
    path("pupil/<int:pk>/merge/", views.merge, name="merge"),
    path("merges/", views.merge_list, name="merges"),
    path("merges/<int:pk>/", views.merge_detail, name="merge_detail"),
    path("merges/<int:pk>/undo/", views.merge_undo, name="merge_undo"),
]
