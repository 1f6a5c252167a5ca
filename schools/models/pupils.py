import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Upper
from django.utils import timezone

from schools.duplicates.phonetics import name_key
from schools.school_age import SchoolAge, compulsory_school_age
from schools.scoping import PupilLinkedQuerySet, ScopedQuerySet, is_la_user, user_school_ids
from schools.validators import validate_upn


class FamilyQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        if is_la_user(user):
            return self
        if not (user and user.is_authenticated):
            return self.none()
        return self.filter(Exists(Pupil.objects.visible_to(user).filter(family=OuterRef("pk"))))


class Family(models.Model):
    """A household: the children who live together and the adults who care for them (whole-family working)."""

    name = models.CharField(max_length=120, help_text="How officers refer to the household, e.g. 'Smith family'.")
    address_line_1 = models.CharField(max_length=120, blank=True)
    address_line_2 = models.CharField(max_length=120, blank=True)
    town = models.CharField(max_length=80, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    notes = models.TextField(blank=True)

    objects = FamilyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "families"
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def address(self) -> str:
        return ", ".join(p for p in [self.address_line_1, self.address_line_2, self.town, self.postcode] if p)


class Carer(models.Model):
    class PreferredChannel(models.TextChoices):
        """How the carer prefers to hear from us besides the letter every formal step is sent as (legal.messaging
        sends the matching email or text message where the LA has set one up)."""

        POST = "post", "Post only"
        EMAIL = "email", "Email as well as post"
        SMS = "sms", "Text message as well as post"

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="carers")
    full_name = models.CharField(max_length=120)
    relationship = models.CharField(max_length=60, help_text="For example mother, father, grandparent, foster carer.")
    parental_responsibility = models.BooleanField(default=True)
    is_main_contact = models.BooleanField(default=False)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    address = models.CharField(max_length=250, blank=True, help_text="Only if different from the family address.")
    preferred_channel = models.CharField(max_length=5, choices=PreferredChannel.choices, default=PreferredChannel.POST)
    do_not_contact = models.BooleanField(
        "Do not contact", default=False,
        help_text="Nothing about the child is sent to this person (letters, emails or texts), e.g. a parent with a "
                  "non-molestation order against them, who must not learn the other parent's address.")
    contact_restriction = models.CharField(
        "Why not", max_length=300, blank=True,
        help_text="The order or reason, so officers know why (required when contact is restricted).")

    class Meta:
        ordering = ["-is_main_contact", "full_name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(do_not_contact=False) | ~models.Q(contact_restriction=""),
                                   name="carer_restriction_has_reason",
                                   violation_error_message="Say why this person may not be contacted."),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.relationship})"


class PupilQuerySet(PupilLinkedQuerySet):
    pupil_path = ""

    def with_current_enrolment(self, user):
        """Annotate the current school and NC year in SQL so lists show them without a query per row.

        Only enrolments the user may see count: a school does not learn which school a former pupil moved to.
        """
        current = (
            Enrolment.objects.visible_to(user)
            .filter(pupil=OuterRef("pk"), end_date__isnull=True)
            .order_by("-start_date")
        )
        return self.annotate(
            current_school_id=models.Subquery(current.values("school_id")[:1]),
            current_school_name=models.Subquery(current.values("school__name")[:1]),
            current_nc_year=models.Subquery(current.values("nc_year")[:1]),
        )

    def search(self, text: str, *, sounds_like: bool = False):
        """Each word matches a name (any part of it) or a whole UPN; with ``sounds_like``, also a legal first or last
        name that sounds like it (equal Metaphone keys: Katherine finds Catherine)."""
        text = (text or "").strip()
        if not text:
            return self
        q = Q()
        for word in text.split():
            word_q = (Q(legal_first_name__icontains=word) | Q(legal_last_name__icontains=word)
                      | Q(preferred_first_name__icontains=word) | Q(preferred_last_name__icontains=word)
                      | Q(upn__iexact=word) | Q(former_upn__iexact=word))
            if sounds_like and (key := name_key(word)):
                word_q |= Q(first_name_key=key) | Q(last_name_key=key)
            q &= word_q
        found = self.filter(q)
        if not self.query.order_by:
            # The usual name order, by an expression no index provides: otherwise PostgreSQL, asked for one page,
            # walks the name index hoping to meet matches early, and a surname late in the alphabet (or a name no
            # pupil has) costs a walk of the whole index. This way it finds the matches (trigram indexes), then sorts.
            found = found.order_by(Upper("legal_last_name"), Upper("legal_first_name"), "pk")
        return found


class Pupil(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "F", "Female"
        MALE = "M", "Male"

    class SenStatus(models.TextChoices):
        # DfE school census SEN provision codes.
        NONE = "N", "No SEN"
        SEN_SUPPORT = "K", "SEN support"
        EHCP = "E", "EHC plan"

    class CinCp(models.TextChoices):
        NONE = "", "None"
        CIN = "cin", "Child in need"
        CP = "cp", "Child protection plan"

    class Ethnicity(models.TextChoices):
        # DfE main ethnicity codes (school census), grouped by the major groups used in published statistics.
        WBRI = "WBRI", "White - British"
        WIRI = "WIRI", "White - Irish"
        WIRT = "WIRT", "Traveller of Irish heritage"
        WROM = "WROM", "Gypsy/Roma"
        WOTH = "WOTH", "Any other White background"
        MWBC = "MWBC", "White and Black Caribbean"
        MWBA = "MWBA", "White and Black African"
        MWAS = "MWAS", "White and Asian"
        MOTH = "MOTH", "Any other mixed background"
        AIND = "AIND", "Indian"
        APKN = "APKN", "Pakistani"
        ABAN = "ABAN", "Bangladeshi"
        AOTH = "AOTH", "Any other Asian background"
        BCRB = "BCRB", "Black Caribbean"
        BAFR = "BAFR", "Black African"
        BOTH = "BOTH", "Any other Black background"
        CHNE = "CHNE", "Chinese"
        OOTH = "OOTH", "Any other ethnic group"
        REFU = "REFU", "Refused"
        NOBT = "NOBT", "Information not yet obtained"

    upn = models.CharField("UPN", max_length=13, unique=True, validators=[validate_upn])
    former_upn = models.CharField("Former UPN", max_length=13, blank=True, validators=[validate_upn])
    legal_first_name = models.CharField(max_length=80)
    legal_last_name = models.CharField(max_length=80)
    preferred_first_name = models.CharField(max_length=80, blank=True)
    preferred_last_name = models.CharField(max_length=80, blank=True)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices)
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices, default=Ethnicity.NOBT)
    sen_status = models.CharField("SEN status", max_length=1, choices=SenStatus.choices, default=SenStatus.NONE)
    fsm_eligible = models.BooleanField("Eligible for free school meals", default=False)
    disadvantaged = models.BooleanField(default=False)
    eal = models.BooleanField("English as an additional language", default=False)
    looked_after = models.BooleanField("Looked after child", default=False)
    cin_cp = models.CharField("Child in need / child protection", max_length=3, choices=CinCp.choices, blank=True)
    social_worker_name = models.CharField(max_length=120, blank=True)
    social_worker_contact = models.CharField(max_length=120, blank=True)
    family = models.ForeignKey(Family, null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    # Metaphone keys of the legal names (schools.duplicates.phonetics), kept by save(): the "sounds like" search and
    # the duplicate finder's blocks look them up instead of comparing every pupil with every other.
    first_name_key = models.CharField(max_length=16, blank=True, editable=False)
    last_name_key = models.CharField(max_length=16, blank=True, editable=False)

    objects = PupilQuerySet.as_manager()

    class Meta:
        ordering = ["legal_last_name", "legal_first_name", "pk"]
        indexes = [
            # Pupil search by surname (the list's default order) and by date of birth.
            models.Index(fields=["legal_last_name", "legal_first_name"], name="pupil_name_idx"),
            models.Index(fields=["date_of_birth"], name="pupil_dob_idx"),
            # "Sounds like" search by a name key, and the duplicate finder's blocks (same key, same date of birth).
            models.Index(fields=["last_name_key", "date_of_birth"], name="pupil_last_key_dob_idx"),
            models.Index(fields=["first_name_key", "date_of_birth"], name="pupil_first_key_dob_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.upn})"

    def save(self, *args, **kwargs):
        # Derived from the names, never typed: kept in step on every save (a bulk write fills them through
        # schools.duplicates.services.fill_name_keys).
        self.first_name_key, self.last_name_key = name_key(self.legal_first_name), name_key(self.legal_last_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"legal_first_name", "legal_last_name"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "first_name_key", "last_name_key"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.date_of_birth and self.date_of_birth > datetime.date.today():
            raise ValidationError({"date_of_birth": "Date of birth must be today or in the past."})
        if self.former_upn and self.former_upn == self.upn:
            raise ValidationError({"former_upn": "The former UPN must differ from the current UPN."})

    @property
    def display_name(self) -> str:
        first = self.preferred_first_name or self.legal_first_name
        last = self.preferred_last_name or self.legal_last_name
        return f"{first} {last}"

    @property
    def legal_name(self) -> str:
        return f"{self.legal_first_name} {self.legal_last_name}"

    @property
    def age(self) -> int | None:
        """Age in whole years today."""
        if not self.date_of_birth:
            return None
        today = timezone.localdate()
        born = self.date_of_birth
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    @property
    def school_age(self) -> SchoolAge | None:
        """The dates the pupil is of compulsory school age (schools.school_age), which s444 steps depend on."""
        return compulsory_school_age(self.date_of_birth) if self.date_of_birth else None

    @property
    def school_age_text(self) -> str:
        age = self.school_age
        return age.describe(timezone.localdate()) if age else ""

    @property
    def flags(self) -> list[tuple[str, str]]:
        """Risk and need badges for the identity bar: (label, GOV.UK tag colour)."""
        flags = []
        if self.sen_status == self.SenStatus.EHCP:
            flags.append(("EHCP", "purple"))
        elif self.sen_status == self.SenStatus.SEN_SUPPORT:
            flags.append(("SEN support", "purple"))
        if self.fsm_eligible:
            flags.append(("FSM", "blue"))
        if self.looked_after:
            flags.append(("Looked after", "orange"))
        if self.cin_cp == self.CinCp.CP:
            flags.append(("CP plan", "red"))
        elif self.cin_cp == self.CinCp.CIN:
            flags.append(("CIN", "orange"))
        if self.eal:
            flags.append(("EAL", "grey"))
        return flags


class EnrolmentQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        # A school sees its own enrolments of a pupil, not where the pupil is or was registered elsewhere.
        if is_la_user(user):
            return self
        if not (user and user.is_authenticated):
            return self.none()
        return self.filter(school__in=user_school_ids(user))

    def current(self):
        return self.filter(end_date__isnull=True)


class Enrolment(models.Model):
    """A pupil's time on a school's roll. Enrolments are never deleted: ending one keeps the history."""

    class NcYear(models.IntegerChoices):
        N1 = -2, "Nursery 1"
        N2 = -1, "Nursery 2"
        R = 0, "Reception"
        Y1 = 1, "Year 1"
        Y2 = 2, "Year 2"
        Y3 = 3, "Year 3"
        Y4 = 4, "Year 4"
        Y5 = 5, "Year 5"
        Y6 = 6, "Year 6"
        Y7 = 7, "Year 7"
        Y8 = 8, "Year 8"
        Y9 = 9, "Year 9"
        Y10 = 10, "Year 10"
        Y11 = 11, "Year 11"
        Y12 = 12, "Year 12"
        Y13 = 13, "Year 13"
        Y14 = 14, "Year 14"

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="enrolments")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="enrolments")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    nc_year = models.SmallIntegerField("NC year", choices=NcYear.choices)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="enrolment_ends_after_start",
                violation_error_message="The end date must be on or after the start date.",
            ),
        ]
        indexes = [
            # Scoping: "is this pupil on one of these schools' rolls" and the school's roll list.
            models.Index(fields=["school", "pupil"], name="enrolment_school_pupil_idx"),
            # Current school of a pupil (end_date is null) for list annotations.
            models.Index(fields=["pupil", "end_date"], name="enrolment_pupil_current_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.pupil_id} at {self.school_id} from {self.start_date}"

    @property
    def is_current(self) -> bool:
        return self.end_date is None
