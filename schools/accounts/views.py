"""Sign-in (password, then the code for users with two-factor sign-in; or the council's identity provider), sign-out,
the account page, two-factor set-up and removal, and password change. The rules and writes are in
schools.accounts.two_factor and schools.accounts.oidc."""

from __future__ import annotations

from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from schools.accounts import oidc, tokens, two_factor
from schools.accounts.forms import CodeForm, GdsPasswordChangeForm, SignInForm


class SignInView(auth_views.LoginView):
    """Django's sign-in; a user with a confirmed device is not signed in yet but asked for their code. With council
    sign-in on, the page leads with its button."""

    authentication_form = SignInForm

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "council_sign_in": oidc.enabled(),
                "council_name": settings.OIDC_PROVIDER_NAME,
                "passwords_for_la_staff": settings.LOCAL_PASSWORDS_FOR_LA_STAFF}

    def form_valid(self, form):
        user = form.get_user()
        if two_factor.has_device(user):
            two_factor.start_pending(self.request, user, self.get_success_url())
            return redirect("login_code")
        two_factor.clear_pending(self.request)
        return super().form_valid(form)


sign_in = login_not_required(SignInView.as_view())


class SignOutView(auth_views.LogoutView):
    """Django's sign-out; a session that came through the council's provider then ends there too."""

    def post(self, request, *args, **kwargs):
        provider_url = oidc.provider_sign_out_url(request)  # read before the session goes
        response = super().post(request, *args, **kwargs)
        return redirect(provider_url) if provider_url else response


sign_out = SignOutView.as_view()


class CouncilSignInStart(OIDCAuthenticationRequestView):
    """Send the browser to the council's provider (404 when council sign-in is not configured)."""

    def get(self, request):
        if not oidc.enabled():
            raise Http404("Council sign-in is not set up.")
        request.session.pop(oidc.REFUSED_KEY, None)
        return super().get(request)


class CouncilSignInCallback(OIDCAuthenticationCallbackView):
    """The provider's answer: sign in (or ask for our code when the provider's two-factor is not trusted), or show
    why not on the refused page."""

    @property
    def failure_url(self):
        return reverse("sign_in_refused")

    def get(self, request):
        if not oidc.enabled():
            raise Http404("Council sign-in is not set up.")
        if request.GET.get("error"):
            oidc.remember_refusal(request, "cancelled")
        elif request.GET.get("state") not in request.session.get("oidc_states", {}):
            # A callback this browser did not start (an old tab, a replay): say so rather than answer 400.
            oidc.remember_refusal(request, "expired")
            return self.login_failure()
        return super().get(request)

    def login_failure(self):
        if oidc.REFUSED_KEY not in self.request.session:
            user = getattr(self, "user", None)
            oidc.remember_refusal(self.request, "disabled" if user and not user.is_active else "unverified")
        return super().login_failure()

    def login_success(self):
        self.request.session.pop(oidc.REFUSED_KEY, None)
        if not settings.OIDC_TRUST_PROVIDER_TWO_FACTOR and two_factor.has_device(self.user):
            two_factor.start_pending(self.request, self.user, self.success_url)
            return redirect("login_code")
        response = super().login_success()
        self.request.session[oidc.SIGNED_IN_WITH_KEY] = oidc.COUNCIL
        return response


council_sign_in = login_not_required(CouncilSignInStart.as_view())
council_callback = login_not_required(CouncilSignInCallback.as_view())

# What the refused page says, by reason (schools.accounts.oidc.Refused and the callback).
REFUSAL_TEXT = {
    "no_group": ("Your council account does not give you access to this service",
                 "None of your groups at {provider} is set up for this service. Ask your local authority's admin for "
                 "this service to map one of your groups to a role."),
    "no_school": ("Your council account is not linked to a school",
                  "Your group gives the school user role but names no school. Ask your local authority's admin for "
                  "this service to add your school to the group."),
    "disabled": ("Your account on this service is switched off",
                 "You signed in at {provider}, but your account here has been switched off. Ask your local "
                 "authority's admin for this service if you need it back."),
    "ambiguous": ("Your account could not be matched",
                  "More than one account here has your email address, so you were not signed in. Ask your local "
                  "authority's admin for this service to remove the duplicate."),
    "no_identity": ("Your sign-in did not say who you are",
                    "The answer from {provider} had no identifier for you, so you were not signed in. Tell your IT "
                    "service desk."),
    "unverified": ("Your sign-in could not be checked",
                   "The answer from {provider} could not be verified, so you were not signed in. Try again; if it "
                   "happens again, tell your IT service desk."),
    "provider_unavailable": ("The council sign-in service did not answer",
                             "{provider} did not answer in time, so you were not signed in. Try again in a few "
                             "minutes."),
    "cancelled": ("You were not signed in", "The sign-in at {provider} was cancelled or refused."),
    "expired": ("Your sign-in took too long or was already used",
                "This sign-in link is no longer valid. Start again from the sign-in page."),
}


@login_not_required
@never_cache
def sign_in_refused(request):
    refused = request.session.get(oidc.REFUSED_KEY)
    if not refused or refused.get("reason") not in REFUSAL_TEXT:
        return redirect("login")
    title, text = REFUSAL_TEXT[refused["reason"]]
    return render(request, "registration/sign_in_refused.html", {
        "title": title, "text": text.format(provider=settings.OIDC_PROVIDER_NAME),
        "groups": refused.get("groups") or [], "reason": refused["reason"]}, status=403)


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
                if data["backend"] == oidc.BACKEND:
                    request.session[oidc.SIGNED_IN_WITH_KEY] = oidc.COUNCIL
                return redirect(data["next"] or reverse("home"))
        else:
            # A malformed code is a failed attempt too: otherwise the count could be sidestepped by nothing.
            if two_factor.record_failure(request, user):
                two_factor.clear_pending(request)
                return get_lockout_response(request, None, {"username": user.username})
    return render(request, "registration/login_code.html", {"form": form})


def account(request, new_token: str | None = None):
    user = request.user
    return render(request, "account/account.html", {
        "council": oidc.signed_in_with_council(request), "council_name": settings.OIDC_PROVIDER_NAME,
        "password_usable": user.has_usable_password(), "new_token": new_token,
        "two_factor_by_provider": oidc.second_factor_done_by_provider(request),
        "two_factor_offered": two_factor.offered_to(user),
        "two_factor_required": two_factor.required_for(user),
        "device": two_factor.confirmed_device(user),
        "session_hours": round(settings.SESSION_COOKIE_AGE / 3600, 1),
        "api_token": tokens.token_for_page(user), "token_idle_hours": settings.API_TOKEN_IDLE_HOURS,
        "token_max_days": settings.API_TOKEN_MAX_DAYS,
    })


@require_POST
@never_cache
def api_token_issue(request):
    """A token for programs, from a signed-in session (the way for people who sign in through the council's
    provider and so have no password to give the token endpoint). The key is shown on this answer only."""
    if tokens.token_for_page(request.user):
        messages.info(request, "You already have an API token: revoke it first to get a new one.")
        return redirect("account")
    return account(request, new_token=tokens.issue(user=request.user).key)


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
