"""URLs for carers (under /carers/), included from config/urls.py."""

from django.urls import path

from schools.carers import views

carer_patterns = [
    path("<int:pk>/contact/", views.carer_edit, name="carer_edit"),
]
