from django.contrib.auth.models import AbstractUser
from django.db import models

from schools.roles import LA_ROLES, Role, role_can


class User(AbstractUser):
    """A member of LA staff or a school's attendance lead. School users belong to one or more schools."""

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.SCHOOL_USER)
    schools = models.ManyToManyField("schools.School", blank=True, related_name="users",
                                     help_text="School users see pupils on these schools' rolls only.")
    job_title = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=30, blank=True, help_text="A work number families and schools may call: "
                                                                  "printed under \"contact me\" on letters.")

    @property
    def is_la_staff(self) -> bool:
        return self.role in LA_ROLES

    def can(self, capability: str) -> bool:
        return self.is_active and role_can(self.role, capability)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class ApiTokenUse(models.Model):
    """When a user's API token (rest_framework.authtoken) was last used, and a fingerprint of the credentials it was
    got with (schools.accounts.tokens): a token expires after a spell without use, and ends when the password or
    the authenticator changes."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, primary_key=True, related_name="api_token_use")
    last_used_at = models.DateTimeField()
    fingerprint = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"API token of {self.user}"
