from django.urls import path

from interventions import views

app_name = "interventions"

urlpatterns = [
    path("", views.intervention_list, name="list"),
    path("<int:pk>/", views.intervention_detail, name="detail"),
    path("cases/<int:pk>/plans/new/", views.plan_add, name="plan_add"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/end/", views.plan_end, name="plan_end"),
]
