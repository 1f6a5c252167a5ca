"""Included by legal.urls under ``payments/`` (names in the ``legal:`` namespace)."""

from django.urls import path

from legal.payments import views

urlpatterns = [
    path("files/", views.file_list, name="payment_files"),
    path("files/new/", views.file_upload, name="payment_file_upload"),
    path("files/<int:pk>/", views.file_detail, name="payment_file"),
    path("queue/", views.queue, name="payment_queue"),
    path("lines/<int:pk>/", views.line_detail, name="payment_line"),
    path("lines/<int:pk>/match/", views.line_match, name="payment_line_match"),
    path("lines/<int:pk>/reject/", views.line_reject, name="payment_line_reject"),
]
