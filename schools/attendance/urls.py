"""Attendance pages added for issue 3's lists and the CTF review queue (included under /attendance/)."""

from django.urls import path

from schools.attendance import views as attendance_views
from schools.attendance.review import views as ctf_review_views

attendance_patterns = [
    path("pupils/", attendance_views.attendance_pupil_list, name="attendance_pupil_list"),
    path("ctf-review/", ctf_review_views.ctf_review_list, name="ctf_review_list"),
    path("ctf-review/<int:pk>/", ctf_review_views.ctf_review_detail, name="ctf_review_detail"),
    path("ctf-review/<int:pk>/match/", ctf_review_views.ctf_review_match, name="ctf_review_match"),
    path("ctf-review/<int:pk>/create/", ctf_review_views.ctf_review_create, name="ctf_review_create"),
    path("ctf-review/<int:pk>/reject/", ctf_review_views.ctf_review_reject, name="ctf_review_reject"),
]
