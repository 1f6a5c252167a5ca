"""Sign-in, the sign-in code, two-factor set-up and password change forms (GOV.UK markup via crispy-forms-gds)."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Submit
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm

from schools.accounts.oidc import password_sign_in_allowed
from schools.accounts.two_factor import normalise_code


class SignInForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page template wraps the form and adds the token
        self.helper.layout = Layout(
            Field.text("username", autocomplete="username", spellcheck="false"),
            Field.text("password", autocomplete="current-password"),
        )
        self.helper.add_input(Submit("submit", "Sign in"))

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not password_sign_in_allowed(user):
            raise forms.ValidationError(
                f"Local authority staff sign in with {settings.OIDC_PROVIDER_NAME}: use the button above",
                code="council_sign_in_only")


class CodeForm(forms.Form):
    """The 6-digit code from an authenticator app: at sign-in, to confirm a set-up, and to remove it."""

    code = forms.CharField(label="Code from your authenticator app", max_length=12,
                           help_text="The 6-digit code your app shows now, for example 123456",
                           error_messages={"required": "Enter the 6-digit code from your authenticator app"})

    def __init__(self, *args, submit_label: str = "Continue", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("code", field_width=10, autocomplete="one-time-code",
                       inputmode="numeric", spellcheck="false"),
        )
        self.helper.attrs = {"novalidate": ""}  # the server's messages, in the GOV.UK error summary
        self.helper.add_input(Submit("submit", submit_label))

    def clean_code(self):
        code = normalise_code(self.cleaned_data["code"])
        if not (len(code) == 6 and code.isdigit()):
            raise forms.ValidationError("Enter the code as 6 digits, for example 123456")
        return code


class GdsPasswordChangeForm(PasswordChangeForm):
    """Django's password change (the AUTH_PASSWORD_VALIDATORS apply to the new password) in GOV.UK markup."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].error_messages["required"] = "Enter your current password"
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].error_messages["required"] = "Enter the new password again"
        self.fields["new_password2"].label = "Enter the new password again"
        self.fields["new_password1"].help_text = ("At least 12 characters, not all numbers, not a commonly used "
                                                  "password and not like your name or username.")
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("old_password", autocomplete="current-password"),
            Field.text("new_password1", autocomplete="new-password"),
            Field.text("new_password2", autocomplete="new-password"),
        )
        self.helper.attrs = {"novalidate": ""}  # the server's messages, in the GOV.UK error summary
        self.helper.add_input(Submit("submit", "Change password"))
