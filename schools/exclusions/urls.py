"""URLs for exclusions (under /exclusions/) and provision (under /provision/), included from config/urls.py."""

from django.urls import path

from schools.exclusions import views

exclusion_patterns = [
    path("", views.exclusion_list, name="exclusion_list"),
    path("reminders/", views.exclusion_reminders, name="exclusion_reminders"),
    path("pupil/<int:pk>/", views.pupil_exclusions, name="pupil_exclusions"),
    path("pupil/<int:pk>/new/", views.exclusion_create, name="exclusion_create"),
    path("<int:pk>/", views.exclusion_detail, name="exclusion_detail"),
    path("<int:pk>/edit/", views.exclusion_edit, name="exclusion_edit"),
    path("<int:pk>/review/", views.exclusion_review, name="exclusion_review"),
    path("<int:pk>/cancel/", views.exclusion_cancel, name="exclusion_cancel"),
    path("<int:pk>/reintegration/", views.exclusion_reintegration, name="exclusion_reintegration"),
]

provision_patterns = [
    path("day-6/", views.day6_dashboard, name="day6_dashboard"),
    path("placements/", views.placement_list, name="placement_list"),
    path("placements/pupil/<int:pk>/new/", views.placement_create, name="placement_create"),
    path("placements/<int:pk>/end/", views.placement_end, name="placement_end"),
    path("part-time-timetables/", views.part_time_list, name="part_time_list"),
    path("part-time-timetables/pupil/<int:pk>/new/", views.part_time_create, name="part_time_create"),
    path("part-time-timetables/<int:pk>/", views.part_time_detail, name="part_time_detail"),
    path("part-time-timetables/<int:pk>/review/", views.part_time_review, name="part_time_review"),
    path("managed-moves/", views.managed_move_list, name="managed_move_list"),
    path("managed-moves/pupil/<int:pk>/new/", views.managed_move_create, name="managed_move_create"),
    path("managed-moves/<int:pk>/outcome/", views.managed_move_outcome, name="managed_move_outcome"),
    path("alternative-provision/", views.ap_provider_list, name="ap_provider_list"),
    path("alternative-provision/new/", views.ap_provider_create, name="ap_provider_create"),
    path("fair-access/", views.fair_access_list, name="fair_access_list"),
    path("fair-access/pupil/<int:pk>/new/", views.fair_access_create, name="fair_access_create"),
    path("fair-access/<int:pk>/", views.fair_access_update, name="fair_access_update"),
    path("children-missing-education/", views.cme_list, name="cme_list"),
    path("children-missing-education/new/", views.cme_create, name="cme_create"),
    path("children-missing-education/<int:pk>/", views.cme_detail, name="cme_detail"),
    path("children-missing-education/<int:pk>/close/", views.cme_close, name="cme_close"),
    path("children-not-in-school/", views.cnis_list, name="cnis_list"),
    path("children-not-in-school/new/", views.cnis_create, name="cnis_create"),
]
