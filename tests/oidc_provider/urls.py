"""The provider's endpoints (/o/...), its sign-in page, and the control API the tests drive it with."""

import json

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.views import LoginView
from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from oauth2_provider.models import get_application_model


@csrf_exempt
@require_POST
def control_user(request):
    """Add or change a person: {"username", "password", "email", "first_name", "last_name", "groups", "active"}."""
    data = json.loads(request.body)
    user, _ = get_user_model().objects.get_or_create(username=data["username"])
    user.email = data.get("email", user.email)
    user.first_name = data.get("first_name", user.first_name)
    user.last_name = data.get("last_name", user.last_name)
    user.is_active = data.get("active", True)
    if "password" in data:
        user.set_password(data["password"])
    user.save()
    if "groups" in data:
        user.groups.set([Group.objects.get_or_create(name=name)[0] for name in data["groups"]])
    return JsonResponse({"sub": str(user.pk)})


@csrf_exempt
@require_POST
def control_application(request):
    """Register where the service may be sent back to: {"redirect_uris": [...], "post_logout_redirect_uris": [...]}."""
    data = json.loads(request.body)
    application = get_application_model().objects.get()
    application.redirect_uris = " ".join(data["redirect_uris"])
    application.post_logout_redirect_uris = " ".join(data["post_logout_redirect_uris"])
    application.save()
    return JsonResponse({"ok": True})


urlpatterns = [
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("accounts/login/", LoginView.as_view(template_name="provider/login.html"), name="login"),
    path("control/user/", control_user),
    path("control/application/", control_application),
]
