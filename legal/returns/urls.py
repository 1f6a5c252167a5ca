"""Included by legal.urls under ``returns/`` (names in the ``legal:`` namespace)."""

from django.urls import path

from legal.returns import views

urlpatterns = [
    path("", views.return_page, name="return"),
    path("export/", views.return_export, name="return_export"),
    path("figures/<str:name>/", views.return_rows, name="return_rows"),
]
