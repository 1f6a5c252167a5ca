"""Included by legal.urls under ``messages/`` (names in the ``legal:`` namespace)."""

from django.urls import path

from legal.messaging import views

urlpatterns = [
    path("failures/", views.failures, name="message_failures"),
    path("<int:pk>/resolve/", views.message_resolve, name="message_resolve"),
    path("print-queue/", views.print_queue, name="print_queue"),
    path("print-queue/batches/<int:pk>/posted/", views.print_batch_posted, name="print_batch_posted"),
    path("print-queue/batches/<int:pk>/letters.pdf", views.print_batch_pdf, name="print_batch_pdf"),
    path("print-queue/letters/<int:pk>/posted/", views.print_message_posted, name="print_message_posted"),
    # GOV.UK Notify's delivery-status callback (set this address and the bearer token in Notify's API integration).
    path("notify/callback/", views.notify_callback, name="notify_callback"),
]
