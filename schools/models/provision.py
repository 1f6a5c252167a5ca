"""Education outside the normal timetable (issue 5; statutory-rules.md §5-6): day-6 and other placements, alternative
provision providers, part-time timetables, managed moves, Fair Access referrals, children missing education, and the
Children Not in School register (CWSA 2026 s38, not yet commenced: behind the CNIS_REGISTER_ENABLED setting)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from schools.exclusions import rules
from schools.models.exclusions import SchoolOwnedQuerySet
from schools.scoping import PupilLinkedQuerySet, ScopedQuerySet, is_la_user

HOURS = {"max_digits": 4, "decimal_places": 1, "validators": [MinValueValidator(Decimal("0.5"))]}


class LaOnlyQuerySet(ScopedQuerySet):
    """Registers the LA keeps about its own commissioning: LA roles only."""

    def visible_to(self, user):
        return self if is_la_user(user) else self.none()


class APProvider(models.Model):
    """An alternative provision setting the LA (or schools) commission places from (seed 004: 23 fte at Aspire)."""

    name = models.CharField(max_length=150, unique=True)
    urn = models.CharField("URN", max_length=6, blank=True, help_text="If registered with the DfE.")
    registered = models.BooleanField(
        "Registered school, PRU or AP academy", default=True,
        help_text="Unregistered AP may only take fewer than 5 full-time pupils (or no looked-after or EHCP pupil "
                  "full time).")
    places_commissioned = models.DecimalField("Places commissioned (full-time equivalent)", max_digits=5,
                                              decimal_places=1, default=Decimal(0))
    contact = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)

    objects = LaOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "alternative provision provider"

    def __str__(self) -> str:
        return self.name


class PlacementQuerySet(SchoolOwnedQuerySet):
    # A school sees the provision it arranged and the provision made for its own exclusions.
    school_paths = ("commissioning_school", "exclusion__school")

    def current(self, on):
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=on), start_date__lte=on)


class Placement(models.Model):
    """Education arranged for a pupil out of their normal timetable: day-6 provision after an exclusion, AP, s19."""

    class ArrangedBy(models.TextChoices):
        LA = "la", "Local authority"
        SCHOOL = "school", "School"

    class ProviderKind(models.TextChoices):
        AP = "ap", "Alternative provision provider"
        SCHOOL = "school", "Another school"
        OTHER = "other", "Other (tuition, college, hospital education)"

    pupil = models.ForeignKey("schools.Pupil", on_delete=models.PROTECT, related_name="placements")
    exclusion = models.ForeignKey("schools.Exclusion", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="placements")
    arranged_by = models.CharField(max_length=6, choices=ArrangedBy.choices)
    commissioning_school = models.ForeignKey("schools.School", null=True, blank=True, on_delete=models.PROTECT,
                                             related_name="commissioned_placements",
                                             help_text="The school that arranged it, when a school did.")
    provider_kind = models.CharField(max_length=6, choices=ProviderKind.choices)
    ap_provider = models.ForeignKey(APProvider, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="placements")
    host_school = models.ForeignKey("schools.School", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="hosted_placements")
    provider_name = models.CharField(max_length=150, blank=True)
    hours_per_week = models.DecimalField(**HOURS)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PlacementQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                                   name="placement_ends_after_start",
                                   violation_error_message="The end date must be on or after the start date."),
        ]
        indexes = [
            # Places used at a provider today; a pupil's placements.
            models.Index(fields=["ap_provider", "end_date"], name="placement_provider_idx"),
            models.Index(fields=["pupil", "start_date"], name="placement_pupil_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.provider_display} from {self.start_date:%d %b %Y}"

    @property
    def provider_display(self) -> str:
        if self.provider_kind == self.ProviderKind.AP and self.ap_provider_id:
            return str(self.ap_provider)
        if self.provider_kind == self.ProviderKind.SCHOOL and self.host_school_id:
            return str(self.host_school)
        return self.provider_name or self.get_provider_kind_display()

    @property
    def is_full_time(self) -> bool:
        return self.hours_per_week >= min(rules.FULL_TIME_HOURS.values())


class PartTimeTimetable(models.Model):
    """A part-time timetable (absence code C2): exceptional, agreed with the parent, time-limited, reviewed (WT2024)."""

    class Reason(models.TextChoices):
        # WT2024: "not to manage behaviour"; so behaviour is deliberately not a reason here.
        HEALTH = "health", "Medical or health needs"
        MENTAL_HEALTH = "mental_health", "Mental health or anxiety"
        REINTEGRATION = "reintegration", "Reintegration after absence or exclusion"
        SEND = "send", "Special educational needs while support is arranged"
        TRANSITION = "transition", "Transition to a new school or phase"
        OTHER = "other", "Other exceptional circumstances"

    pupil = models.ForeignKey("schools.Pupil", on_delete=models.PROTECT, related_name="part_time_timetables")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="part_time_timetables")
    start_date = models.DateField()
    planned_end_date = models.DateField(help_text="Part-time timetables must be time-limited.")
    hours_per_week = models.DecimalField(**HOURS)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    reason_detail = models.TextField(blank=True)
    parent_agreed_on = models.DateField("Date the parent agreed",
                                        help_text="The parent the pupil normally lives with must agree (WT2024).")
    la_notified_on = models.DateField("Date the LA was notified", null=True, blank=True)
    next_review_date = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SchoolOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(planned_end_date__gt=models.F("start_date")),
                                   name="part_time_planned_end_after_start",
                                   violation_error_message="The planned end must be after the start date."),
        ]
        indexes = [
            # The register: open timetables by review date (overdue reviews first), per school.
            models.Index(fields=["ended_on", "next_review_date"], name="part_time_open_review_idx"),
            models.Index(fields=["school", "start_date"], name="part_time_school_idx"),
        ]

    def __str__(self) -> str:
        return f"Part-time timetable from {self.start_date:%d %b %Y}"


class PartTimeReview(models.Model):
    class Outcome(models.TextChoices):
        CONTINUE = "continue", "Continue as planned"
        EXTEND = "extend", "Extend to a new end date"
        END = "end", "End: back to full time"

    timetable = models.ForeignKey(PartTimeTimetable, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-reviewed_on", "-pk"]

    def __str__(self) -> str:
        return f"Review {self.reviewed_on}"


class ManagedMoveQuerySet(SchoolOwnedQuerySet):
    # Both schools in a move see it: the receiving school usually has the pupil dual-registered meanwhile.
    school_paths = ("from_school", "to_school")


class ManagedMove(models.Model):
    """A voluntary, agreed move to another school as part of a planned intervention (Excl guidance 2023 paras 47-51)."""

    class Outcome(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        TRANSFERRED = "transferred", "Successful: pupil transferred"
        RETURNED = "returned", "Returned to the original school"
        BROKE_DOWN = "broke_down", "Broke down"

    pupil = models.ForeignKey("schools.Pupil", on_delete=models.PROTECT, related_name="managed_moves")
    from_school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="moves_out")
    to_school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="moves_in")
    agreed_on = models.DateField("Date all parties (parents included) agreed")
    start_date = models.DateField()
    review_date = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.IN_PROGRESS)
    outcome_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = ManagedMoveQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(from_school=models.F("to_school")), name="managed_move_two_schools",
                                   violation_error_message="A managed move is to a different school."),
        ]

    def __str__(self) -> str:
        return f"Managed move from {self.start_date:%d %b %Y}"


class FairAccessReferral(models.Model):
    """A child to be placed under the Fair Access Protocol (School Admissions Code 2021 para 3.17; seed 004)."""

    class Category(models.TextChoices):
        # School Admissions Code 2021 para 3.17 (abridged).
        NO_PLACE = "no_place", "Out of education for four or more weeks with no place"
        EXCLUDED = "excluded", "Permanently excluded, or in AP and ready to return to mainstream"
        CRIMINAL_JUSTICE = "criminal_justice", "From the criminal justice system"
        LOOKED_AFTER = "looked_after", "Looked after, previously looked after or allocated a social worker"
        REFUGEE = "refugee", "Refugee or asylum seeker"
        HOMELESS = "homeless", "Homeless"
        TRAVELLER = "traveller", "Gypsy, Roma, Traveller, Showman or Boater family"
        CARER = "carer", "Young carer"
        SEND = "send", "Special educational needs or disability without an EHC plan"
        OTHER = "other", "Other vulnerable child"

    pupil = models.ForeignKey("schools.Pupil", on_delete=models.PROTECT, related_name="fair_access_referrals")
    panel = models.ForeignKey("schools.Partnership", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="fair_access_referrals", help_text="Fair Access panel area.")
    category = models.CharField(max_length=20, choices=Category.choices)
    referred_on = models.DateField()
    out_of_school_since = models.DateField(help_text="First school day without a placement.")
    allocation_due = models.DateField(null=True, blank=True, help_text="20 school days from the referral.")
    allocated_school = models.ForeignKey("schools.School", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="fair_access_allocations")
    allocated_on = models.DateField(null=True, blank=True)
    placed_on = models.DateField("Date the pupil started at the school", null=True, blank=True)
    days_without_placement = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="School days from out-of-school to placed (worked out when placed).")
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = PupilLinkedQuerySet.as_manager()

    class Meta:
        ordering = ["out_of_school_since", "pk"]
        indexes = [
            # Open referrals by how long the child has been out of school (the 38+/69+/100+ bands).
            models.Index(fields=["placed_on", "out_of_school_since"], name="fair_access_open_idx"),
        ]

    def __str__(self) -> str:
        return f"Fair Access referral {self.referred_on:%d %b %Y}"


class ChildRecordMixin(models.Model):
    """Children the LA may hold before (or without) a pupil record: a pupil link, or name and date of birth."""

    pupil = models.ForeignKey("schools.Pupil", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    child_name = models.CharField(max_length=160, blank=True, help_text="When there is no pupil record.")
    date_of_birth = models.DateField(null=True, blank=True)
    address = models.CharField(max_length=250, blank=True)

    class Meta:
        abstract = True

    @property
    def display_name(self) -> str:
        return self.pupil.display_name if self.pupil_id else self.child_name


class CMERecord(ChildRecordMixin):
    """A child missing education (s436A EA1996; statutory guidance updated 19 August 2024)."""

    class Reason(models.TextChoices):
        NO_DESTINATION = "no_destination", "Left school with no known destination"
        ABSENT_10 = "absent_10", "10 or more consecutive days' unexplained absence"
        DELETION_20 = "deletion_20", "Deletion ground (i): 20 continuous school days, whereabouts unknown"
        ARRIVED = "arrived", "Arrived in the area and not on a school roll"
        EHE_CEASED = "ehe_ceased", "Elective home education stopped or unsuitable"
        OTHER = "other", "Other"

    class Outcome(models.TextChoices):
        OPEN = "open", "Open: enquiries continuing"
        ON_ROLL = "on_roll", "Found and on a school roll in the area"
        OTHER_LA = "other_la", "Found in another LA's area (that LA notified)"
        EHE = "ehe", "Electively home educated"
        LEFT_COUNTRY = "left_country", "Left the country"
        NOT_FOUND = "not_found", "Not found after all reasonable enquiries"

    referred_on = models.DateField()
    referring_school = models.ForeignKey("schools.School", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="cme_referrals")
    referral_source = models.CharField(max_length=150, blank=True, help_text="Who referred, if not a school.")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    last_attended_on = models.DateField(null=True, blank=True)
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="cme_records")
    outcome = models.CharField(max_length=15, choices=Outcome.choices, default=Outcome.OPEN)
    outcome_on = models.DateField(null=True, blank=True)
    outcome_notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = LaOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-referred_on", "-pk"]
        verbose_name = "child missing education record"
        constraints = [
            models.CheckConstraint(condition=Q(pupil__isnull=False) | ~Q(child_name=""), name="cme_names_the_child",
                                   violation_error_message="Choose the pupil or give the child's name."),
        ]
        indexes = [
            # The register: open cases first, newest referral first.
            models.Index(fields=["outcome", "-referred_on"], name="cme_outcome_idx"),
        ]

    def __str__(self) -> str:
        return f"CME referral {self.referred_on:%d %b %Y}"


class CMEEnquiry(models.Model):
    class Method(models.TextChoices):
        HOME_VISIT = "home_visit", "Home visit"
        PHONE = "phone", "Phone call"
        LETTER = "letter", "Letter or e-mail"
        SCHOOL = "school", "Enquiry of a school"
        OTHER_LA = "other_la", "Enquiry of another LA"
        AGENCY = "agency", "Police, health, housing or social care"
        SEARCH = "search", "DfE School2School / records search"

    record = models.ForeignKey(CMERecord, on_delete=models.CASCADE, related_name="enquiries")
    made_on = models.DateField()
    method = models.CharField(max_length=12, choices=Method.choices)
    result = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-made_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.made_on}"


class ChildNotInSchool(ChildRecordMixin):
    """Children Not in School register (EA1996 ss436B-436G inserted by CWSA 2026 s38; Royal Assent 29 April 2026,
    not yet commenced). The fields follow s436C; the pages stay off until CNIS_REGISTER_ENABLED is set."""

    class Category(models.TextChoices):
        NOT_REGISTERED = "not_registered", "Not registered at a school (e.g. elective home education)"
        EDUCATED_ELSEWHERE = "elsewhere", "Registered, but the school arranged education elsewhere for some or all "\
                                          "of the time"
        FLEXI = "flexi", "Flexi-schooling"
        COLLEGE = "college", "Part-time college student"

    category = models.CharField(max_length=20, choices=Category.choices)
    parent_names = models.CharField(max_length=250)
    parent_contact = models.CharField(max_length=250, blank=True)
    education_providers = models.TextField(blank=True, help_text="Who provides the child's education and for how "
                                                                 "many hours (s436E).")
    registered_on = models.DateField()
    home_visit_requested_on = models.DateField(null=True, blank=True)
    support_offered = models.TextField(blank=True, help_text="Support offered to the parents (s436G).")
    removed_on = models.DateField(null=True, blank=True)
    removal_reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = LaOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-registered_on", "-pk"]
        verbose_name = "child not in school"
        verbose_name_plural = "children not in school"
        constraints = [
            models.CheckConstraint(condition=Q(pupil__isnull=False) | ~Q(child_name=""),
                                   name="cnis_names_the_child",
                                   violation_error_message="Choose the pupil or give the child's name."),
        ]

    def __str__(self) -> str:
        return f"CNIS entry {self.registered_on:%d %b %Y}"
