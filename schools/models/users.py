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
    oidc_subject = models.CharField(
        "council sign-in id", max_length=255, unique=True, null=True, blank=True,
        help_text="The council identity provider's stable id for this person, kept at their first council sign-in "
                  "(schools.accounts.oidc); later sign-ins match on it, not on the email address.")

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


class SignInGroup(models.Model):
    """A group in the council's identity provider mapped to a role here (and, for school users, their schools).

    At each council sign-in the person's groups (the provider's groups claim) decide their role and schools afresh
    (schools.accounts.oidc): the highest role any of their groups maps to wins; a person in no mapped group is not
    let in. Kept by LA admins in the admin site."""

    group = models.CharField(max_length=255, unique=True,
                             help_text="The group as the provider sends it in the groups claim: in Microsoft Entra "
                                       "ID, the group's object ID.")
    name = models.CharField(max_length=200, help_text="What the group is, for people reading this list (for example "
                                                      "\"Attendance team\").")
    role = models.CharField(max_length=20, choices=Role.choices)
    schools = models.ManyToManyField("schools.School", blank=True, related_name="+",
                                     help_text="For the school user role: the schools its members see.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"
