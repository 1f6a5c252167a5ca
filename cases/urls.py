from django.urls import path

from cases import views
from cases.alerts import views as alert_views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("export/", views.case_export, name="export"),
    path("my-work/", views.my_work, name="my_work"),
    path("team/", views.team, name="team"),
    path("stages/", views.stage_guide, name="stage_guide"),
    path("new/", views.case_open, name="open"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/edit/", views.case_edit, name="edit"),
    path("<int:pk>/stage/", views.case_stage, name="stage"),
    path("<int:pk>/allocate/", views.case_allocate, name="allocate"),
    path("<int:pk>/close/", views.case_close, name="close"),
    path("<int:pk>/reopen/", views.case_reopen, name="reopen"),
    path("<int:pk>/chronology/new/", views.entry_add, name="entry_add"),
    path("<int:pk>/chronology.pdf", views.chronology_pdf, name="chronology_pdf"),
    path("<int:pk>/reviews/new/", views.review_add, name="review_add"),
    path("<int:pk>/tasks/new/", views.task_add, name="task_add"),
    path("chronology/<int:pk>/edit/", views.entry_edit, name="entry_edit"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("tasks/<int:pk>/done/", views.task_complete, name="task_complete"),
    path("pupil/<int:pk>/", views.pupil_cases, name="pupil_cases"),
    path("referrals/", views.referral_list, name="referral_list"),
    path("referrals/new/", views.referral_create, name="referral_create"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
    path("referrals/<int:pk>/triage/", views.referral_triage, name="referral_triage"),
    path("tsms/", views.tsm_list, name="tsm_list"),
    path("tsms/new/", views.tsm_create, name="tsm_create"),
    path("tsms/<int:pk>/", views.tsm_detail, name="tsm_detail"),
    path("tsms/<int:pk>/edit/", views.tsm_edit, name="tsm_edit"),
    path("tsms/<int:pk>/pupils/new/", views.tsm_pupil_add, name="tsm_discussed_add"),
    path("tsms/<int:pk>/tasks/new/", views.tsm_task_add, name="tsm_task_add"),
    path("tsms/<int:pk>/pack.pdf", views.tsm_pack, name="tsm_pack"),
    path("alerts/", alert_views.alert_list, name="alerts"),
    path("alerts/<int:pk>/", alert_views.alert_detail, name="alert_detail"),
]
