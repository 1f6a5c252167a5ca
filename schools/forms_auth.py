from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Submit
from django.contrib.auth.forms import AuthenticationForm


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
