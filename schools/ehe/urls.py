"""URLs for the elective home education register, under /provision/home-education/ (config/urls.py)."""

from django.urls import path

from schools.ehe import views

patterns = [
    path("", views.ehe_list, name="ehe_list"),
    path("new/", views.ehe_create, name="ehe_create"),
    path("<int:pk>/", views.ehe_detail, name="ehe_detail"),
    path("<int:pk>/consent/", views.ehe_consent, name="ehe_consent"),
    path("<int:pk>/contacts/new/", views.ehe_contact, name="ehe_contact"),
    path("<int:pk>/suitability/", views.ehe_suitability, name="ehe_suitability"),
    path("<int:pk>/enquiry/", views.ehe_enquiry, name="ehe_enquiry"),
    path("<int:pk>/enquiry/reply/", views.ehe_enquiry_reply, name="ehe_enquiry_reply"),
    path("<int:pk>/enquiry/letter.pdf", views.ehe_enquiry_letter, name="ehe_enquiry_letter"),
    path("<int:pk>/return/", views.ehe_return, name="ehe_return"),
    path("<int:pk>/close/", views.ehe_close, name="ehe_close"),
    path("<int:pk>/children-not-in-school/", views.ehe_cnis, name="ehe_cnis"),
]
