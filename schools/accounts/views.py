"""Sign-in (password, then the code for users with two-factor sign-in), the account page, two-factor set-up and
removal, and password change. The rules and writes are in schools.accounts.two_factor."""

from __future__ import annotations

from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from schools.accounts import tokens, two_factor
from schools.accounts.forms import CodeForm, GdsPasswordChangeForm, SignInForm


class SignInView(auth_views.LoginView):
    """Django's sign-in; a user with a confirmed device is not signed in yet but asked for their code."""

    authentication_form = SignInForm

    def form_valid(self, form):
        user = form.get_user()
        if two_factor.has_device(user):
            two_factor.start_pending(self.request, user, self.get_success_url())
            return redirect("login_code")
        two_factor.clear_pending(self.request)
        return super().form_valid(form)


sign_in = login_not_required(SignInView.as_view())


@login_not_required
@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def sign_in_code(request):
    had_pending = two_factor.PENDING_SESSION_KEY in request.session
    data = two_factor.pending(request)
    user = get_user_model().objects.filter(pk=data["user"], is_active=True).first() if data else None
    device = two_factor.confirmed_device(user) if user else None
    if device is None:
        # No password step in this session (or it expired, or the device was reset meanwhile): start again.
        if had_pending:
            messages.info(request, "Sign in again: the time to enter your code ran out.")
        two_factor.clear_pending(request)
        return redirect("login")
    form = CodeForm(request.POST or None, submit_label="Sign in")
    if request.method == "POST":
        if two_factor.is_locked_out(request, user.username):
            two_factor.clear_pending(request)
            return get_lockout_response(request, None, {"username": user.username})
        if form.is_valid():
            try:
                two_factor.check_code(request, user, device, form.cleaned_data["code"])
            except two_factor.CodeRefused as refused:
                if refused.locked:
                    two_factor.clear_pending(request)
                    return get_lockout_response(request, None, {"username": user.username})
                form.add_error("code", refused.message)
            else:
                two_factor.clear_pending(request)
                user.otp_device = device  # django_otp's user_logged_in handler marks the session verified
                login(request, user, backend=data["backend"])
                return redirect(data["next"] or reverse("home"))
        else:
            # A malformed code is a failed attempt too: otherwise the count could be sidestepped by nothing.
            if two_factor.record_failure(request, user):
                two_factor.clear_pending(request)
                return get_lockout_response(request, None, {"username": user.username})
    return render(request, "registration/login_code.html", {"form": form})


def account(request):
    user = request.user
    return render(request, "account/account.html", {
        "two_factor_offered": two_factor.offered_to(user),
        "two_factor_required": two_factor.required_for(user),
        "device": two_factor.confirmed_device(user),
        "session_hours": round(settings.SESSION_COOKIE_AGE / 3600, 1),
        "api_token": tokens.token_for_page(user), "token_idle_hours": settings.API_TOKEN_IDLE_HOURS,
        "token_max_days": settings.API_TOKEN_MAX_DAYS,
    })


@require_POST
def api_token_revoke(request):
    tokens.revoke(user=request.user, actor=request.user, path=request.path)
    messages.success(request, "Your API token was revoked. Programs using it must get a new one.")
    return redirect("account")


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    if not two_factor.offered_to(request.user):
        raise PermissionDenied("Two-factor sign-in is for LA roles")
    if two_factor.has_device(request.user):
        messages.info(request, "Two-factor sign-in is already set up. Remove it first to move to a new phone.")
        return redirect("account")
    device = two_factor.pending_device(request.user)
    form = CodeForm(request.POST or None, submit_label="Confirm and turn on")
    if request.method == "POST" and form.is_valid():
        try:
            two_factor.confirm_device(request, device, form.cleaned_data["code"])
        except two_factor.CodeRefused as refused:
            form.add_error("code", refused.message)
        else:
            messages.success(request, "Two-factor sign-in is on: you will be asked for a code each time you sign in.")
            return redirect("account")
    return render(request, "account/two_factor_setup.html", {
        "form": form, "qr_svg": two_factor.qr_svg(device), "secret": two_factor.secret_for_display(device),
        "required": two_factor.required_for(request.user),
    })


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def two_factor_remove(request):
    device = two_factor.confirmed_device(request.user)
    if device is None:
        return redirect("account")
    if two_factor.required_for(request.user):
        raise PermissionDenied("Your authority requires two-factor sign-in: an LA admin can reset it for you")
    form = CodeForm(request.POST or None, submit_label="Turn off two-factor sign-in")
    if request.method == "POST" and form.is_valid():
        # A current code, so that someone who finds a signed-in screen cannot quietly turn it off.
        try:
            two_factor.check_code(request, request.user, device, form.cleaned_data["code"])
        except two_factor.CodeRefused as refused:
            if refused.locked:
                return get_lockout_response(request, None, {"username": request.user.username})
            form.add_error("code", refused.message)
        else:
            two_factor.remove_devices(user=request.user, actor=request.user, path=request.path)
            messages.success(request, "Two-factor sign-in is off.")
            return redirect("account")
    return render(request, "account/two_factor_remove.html", {"form": form})


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change: the validators in AUTH_PASSWORD_VALIDATORS apply, this session stays signed in and
    every other session of the user is signed out (the session hash changes with the password)."""

    form_class = GdsPasswordChangeForm
    template_name = "account/password_change.html"
    success_url = reverse_lazy("account")

    def form_valid(self, form):
        response = super().form_valid(form)
        tokens.revoke(user=self.request.user, actor=self.request.user, path="API token ended by a password change")
        messages.success(self.request, "Your password has been changed. Other devices signed in as you are signed "
                                       "out, and your API token (if you had one) has ended.")
        return response


password_change = PasswordChangeView.as_view()
