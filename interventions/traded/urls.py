"""Traded services pages, under /traded/ (config/urls.py)."""

from django.urls import path

from interventions.traded import views

app_name = "traded"

urlpatterns = [
    path("", views.home, name="home"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/export/", views.catalogue_export, name="catalogue_export"),
    path("catalogue/new/", views.service_create, name="service_create"),
    path("catalogue/<int:pk>/", views.service_detail, name="service_detail"),
    path("catalogue/<int:pk>/edit/", views.service_edit, name="service_edit"),
    path("rates/", views.rates, name="rates"),
    path("rates/new/", views.rate_add, name="rate_add"),
    path("rates/tiers/new/", views.tier_add, name="tier_add"),
    path("rates/tiers/<int:pk>/remove/", views.tier_remove, name="tier_remove"),
    path("bookings/", views.booking_list, name="booking_list"),
    path("bookings/export/", views.booking_export, name="booking_export"),
    path("bookings/new/", views.booking_create, name="booking_create"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking_detail"),
    path("bookings/<int:pk>/confirm/", views.booking_confirm, name="booking_confirm"),
    path("bookings/<int:pk>/decline/", views.booking_decline, name="booking_decline"),
    path("bookings/<int:pk>/delivery/", views.booking_deliver, name="booking_deliver"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("bookings/<int:pk>/waive/", views.booking_waive, name="booking_waive"),
    path("packages/", views.package_list, name="package_list"),
    path("packages/new/", views.package_create, name="package_create"),
    path("packages/<int:pk>/", views.package_detail, name="package_detail"),
    path("packages/<int:pk>/cancel/", views.package_cancel, name="package_cancel"),
    path("invoices/", views.invoice_list, name="invoice_list"),
    path("invoices/export/", views.invoice_export, name="invoice_export"),
    path("invoices/run/", views.invoice_run, name="invoice_run"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("invoices/<int:pk>/payment/", views.invoice_paid, name="invoice_paid"),
    path("invoices/<int:pk>/credit-note/", views.credit_note_create, name="credit_note_create"),
    path("capacity/", views.capacity, name="capacity"),
    path("capacity/time/new/", views.commitment_add, name="commitment_add"),
    path("capacity/time/<int:pk>/remove/", views.commitment_remove, name="commitment_remove"),
    path("income/", views.income, name="income"),
]
