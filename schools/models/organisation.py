from django.db import models

from schools.scoping import ScopedQuerySet, school_scope_q
from schools.validators import validate_la_code, validate_laestab, validate_urn


class LocalAuthority(models.Model):
    """The one local authority this installation serves."""

    name = models.CharField(max_length=120)
    la_code = models.CharField("DfE LA code", max_length=3, validators=[validate_la_code])
    service_name = models.CharField(max_length=120, default="Attendance and inclusion casework")
    # The letterhead on every letter and invoice (LA admins keep them in the admin site).
    address = models.TextField(blank=True, help_text="The service's postal address, one line per line.")
    phone = models.CharField(max_length=30, blank=True, help_text="The service's public telephone number.")
    email = models.EmailField(blank=True, help_text="The service's public email address.")

    class Meta:
        verbose_name_plural = "local authority"

    def __str__(self) -> str:
        return f"{self.name} ({self.la_code})"

    @classmethod
    def current(cls) -> "LocalAuthority | None":
        return cls.objects.order_by("pk").first()

    @property
    def address_lines(self) -> list[str]:
        return [line.strip() for line in self.address.splitlines() if line.strip()]


class Partnership(models.Model):
    """A locality partnership or behaviour & attendance panel grouping schools (seed 000, seed 004)."""

    class Kind(models.TextChoices):
        PARTNERSHIP = "partnership", "Partnership"
        PANEL = "panel", "Behaviour and attendance panel"

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PARTNERSHIP)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SchoolQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        return self.filter(school_scope_q(user))


class School(models.Model):
    class Phase(models.TextChoices):
        NURSERY = "nursery", "Nursery"
        PRIMARY = "primary", "Primary"
        MIDDLE = "middle", "Middle"
        SECONDARY = "secondary", "Secondary"
        ALL_THROUGH = "all_through", "All-through"
        SPECIAL = "special", "Special"
        PRU = "pru", "Pupil referral unit"
        AP = "ap", "Alternative provision"

    class SchoolType(models.TextChoices):
        COMMUNITY = "community", "Community school"
        VOLUNTARY_AIDED = "va", "Voluntary aided"
        VOLUNTARY_CONTROLLED = "vc", "Voluntary controlled"
        FOUNDATION = "foundation", "Foundation school"
        ACADEMY = "academy", "Academy"
        FREE = "free", "Free school"
        SPECIAL = "special", "Special school"
        AP = "ap", "Alternative provision"
        INDEPENDENT = "independent", "Independent school"

    urn = models.CharField("URN", max_length=6, unique=True, validators=[validate_urn])
    laestab = models.CharField("LAESTAB", max_length=7, unique=True, validators=[validate_laestab])
    name = models.CharField(max_length=150)
    phase = models.CharField(max_length=20, choices=Phase.choices)
    school_type = models.CharField(max_length=20, choices=SchoolType.choices)
    partnership = models.ForeignKey(Partnership, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="schools")
    is_open = models.BooleanField(default=True)

    objects = SchoolQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            # School list filtered by phase and partnership.
            models.Index(fields=["phase", "partnership"], name="school_phase_partnership_idx"),
        ]

    def __str__(self) -> str:
        return self.name
