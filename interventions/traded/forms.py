"""GOV.UK forms for traded services (crispy-forms-gds). Forms check the shape of the input; the services check the
rules (capacity, term dates, statutory services, pupils on roll) and say what is wrong at the field."""

from __future__ import annotations

import datetime
from decimal import Decimal

from crispy_forms_gds.layout import Field, Fieldset, Layout, Size
from django import forms
from django.utils import timezone

from interventions.models import Booking, Intervention, InvoiceLine, OfficerCommitment, Package, TradedService
from interventions.models.traded import CoreFunction, TradedRole, Unit, VatTreatment
from interventions.traded import selectors
from schools import school_days
from schools.common.forms import DateField, GdsFormMixin, VersionedForm
from schools.models import AcademicYear, Pupil, School, User
from schools.roles import LA_ROLES

NARROW = {"class": "govuk-input--width-5"}
MONEY_INPUT = {"class": "govuk-input--width-5", "inputmode": "decimal", "spellcheck": "false"}


def _money_field(label, *, required=True, help_text=""):
    return forms.DecimalField(label=label, required=required, min_value=Decimal("0.01"), max_digits=10,
                              decimal_places=2, help_text=help_text, widget=forms.TextInput(attrs=MONEY_INPUT))


def _days_field(label, *, help_text="", required=True):
    return forms.DecimalField(label=label, required=required, max_digits=6, decimal_places=1, help_text=help_text,
                              widget=forms.TextInput(attrs={**NARROW, "inputmode": "decimal",
                                                            "spellcheck": "false"}))


# --- Catalogue and rate card ----------------------------------------------------------------------------------------

class ServiceForm(GdsFormMixin, forms.Form):
    role = forms.ChoiceField(label="Rate-card role", choices=TradedRole.choices, widget=forms.RadioSelect,
                             help_text="Whose rates price the service.")
    unit = forms.ChoiceField(label="Sold by the", choices=Unit.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Choose what the service is sold by"})
    unit_days = _days_field("Officer days per unit", help_text="1 for a day, 0.5 for a half day; for a session or "
                                                                "a package, the officer time it takes.")
    charging = forms.ChoiceField(label="Charging", choices=TradedService.Charging.choices, widget=forms.RadioSelect)
    core_function = forms.ChoiceField(
        label="Statutory core function (2024 guidance)", choices=CoreFunction.choices, required=False,
        help_text="Core functions are free to every school and cannot be priced.")
    vat_treatment = forms.ChoiceField(label="VAT", choices=VatTreatment.choices)
    pupils = forms.ChoiceField(label="Pupils", choices=TradedService.Pupils.choices, widget=forms.RadioSelect)
    is_offered = forms.BooleanField(label="Offered to schools", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["core_function"].widget.attrs["class"] = "govuk-select"


class ServiceCreateForm(ServiceForm):
    submit_label = "Add to the traded catalogue"
    intervention = forms.ModelChoiceField(queryset=Intervention.objects.none(), label="Catalogue entry",
                                          empty_label="Choose an intervention",
                                          help_text="Name, details and outcomes come from the intervention "
                                                    "catalogue.")
    field_order = ["intervention"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["intervention"].queryset = Intervention.objects.active().filter(
            traded_service__isnull=True).order_by("name")


class ServiceEditForm(ServiceForm, VersionedForm):
    pass


class RateForm(GdsFormMixin, forms.Form):
    submit_label = "Add the rate"
    role = forms.ChoiceField(label="Role", choices=TradedRole.choices, widget=forms.RadioSelect)
    effective_from = DateField(label="In force from", error_name="The date the rate is in force from",
                               error_messages={"required": "Enter the date the rate is in force from"},
                               help_text="Today or later. Bookings already made keep their price.")
    day_rate = _money_field("Day rate (£)")
    half_day_rate = _money_field("Half-day rate (£)")
    session_rate = _money_field("Session rate (£, optional)", required=False,
                                help_text="Leave empty if this role does not sell sessions.")
    source = forms.CharField(label="Source or decision (optional)", required=False,
                             help_text="For example, the cabinet decision approving the 2027/28 fees.")


class TierForm(GdsFormMixin, forms.Form):
    submit_label = "Add the tier"
    min_days = _days_field("From how many days in one package")
    min_days.error_messages["required"] = "Enter how many days in one package the tier starts from"
    percent = forms.DecimalField(label="Discount (%)", min_value=Decimal("0.01"), max_value=Decimal(90),
                                 decimal_places=2, widget=forms.TextInput(attrs=NARROW))


# --- Bookings -------------------------------------------------------------------------------------------------------

class PupilUpnsField(forms.CharField):
    """Pupils by UPN, one a line, among those the user may see (an unknown or out-of-scope UPN reads the same)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}))
        super().__init__(*args, **kwargs)
        self.user = None

    def clean(self, value):
        text = super().clean(value) or ""
        upns = [line.strip().upper() for line in text.replace(",", "\n").splitlines() if line.strip()]
        if len(upns) > 30:
            raise forms.ValidationError("Name up to 30 pupils on one booking.")
        found = {p.upn: p for p in Pupil.objects.visible_to(self.user).filter(upn__in=upns)}
        for number, upn in enumerate(upns, start=1):
            if upn not in found:
                raise forms.ValidationError(f"Line {number}: no pupil you can see has the UPN {upn}.")
        return [found[upn] for upn in dict.fromkeys(upns)]


class BookingForm(GdsFormMixin, forms.Form):
    submit_label = "Send booking request"
    school = forms.ModelChoiceField(queryset=School.objects.none(), label="School", empty_label=None)
    service = forms.ModelChoiceField(queryset=TradedService.objects.none(), label="Service",
                                     empty_label="Choose a service")
    units = _days_field("How many units?", help_text="In the service's unit: days (half days allowed), half days, "
                                                     "sessions or packages.")
    funding = forms.ChoiceField(label="How will it be paid for?", choices=Booking.Funding.choices,
                                widget=forms.RadioSelect, initial=Booking.Funding.PAYG,
                                help_text="Statutory services are free; traded ones are pay as you go or from an "
                                          "annual package.")
    package = forms.ModelChoiceField(queryset=Package.objects.none(), label="Package (if paid from one)",
                                     required=False, empty_label="Not from a package")
    preferred_1 = DateField(label="Preferred date", help_text="A school day in term, after today.")
    preferred_2 = DateField(label="Second choice (optional)", required=False)
    preferred_3 = DateField(label="Third choice (optional)", required=False)
    pupils = PupilUpnsField(label="Pupils (UPNs, one a line)", required=False,
                            help_text="Only for services about named pupils, and only pupils on your school's roll.")
    notes = forms.CharField(label="What do you need? (optional)", required=False,
                            widget=forms.Textarea(attrs={"rows": 4}))
    purchase_order = forms.CharField(label="Purchase order number (optional)", required=False, max_length=40,
                                     widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = user.schools.order_by("name")
        services = selectors.attach_prices(selectors.service_list(user=user))
        self.fields["service"].queryset = selectors.service_list(user=user)
        labels = {s.pk: _service_label(s) for s in services}
        self.fields["service"].label_from_instance = lambda s: labels.get(s.pk, s.name)
        packages = Package.objects.visible_to(user).filter(status=Package.Status.ACTIVE,
                                                           academic_year__end_date__gte=timezone.localdate())
        self.fields["package"].queryset = packages.select_related("academic_year").order_by("pk")
        self.fields["package"].label_from_instance = lambda p: (f"{p.reference}: {p.days.normalize():f} "
                                                                f"{p.get_role_display()} days, {p.academic_year}")
        self.fields["pupils"].user = user
        self.helper.layout = Layout(
            Field.select("school"), Field.select("service"), Field.text("units"), Field.radios("funding"),
            Field.select("package"),
            Fieldset(Field("preferred_1"), Field("preferred_2"), Field("preferred_3"), legend="When",
                     legend_size=Size.MEDIUM),
            Field.textarea("pupils"), Field.textarea("notes"), Field.text("purchase_order"))

    def booking_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["preferred_dates"] = [data.pop(f"preferred_{n}") for n in (1, 2, 3)]
        return data


def _service_label(service) -> str:
    unit = service.get_unit_display().lower()
    if not service.is_charged:
        return f"{service.name} (free, statutory; per {unit})"
    if service.price is None:
        return f"{service.name} (price on request)"
    return f"{service.name} (£{service.price.unit_price:,.2f} per {unit} + VAT)" if service.price.vat else \
        f"{service.name} (£{service.price.unit_price:,.2f} per {unit})"


class ConfirmForm(GdsFormMixin, VersionedForm):
    submit_label = "Confirm booking"
    officer = forms.ModelChoiceField(queryset=User.objects.none(), label="Officer", empty_label="Choose an officer")

    def __init__(self, *args, booking: Booking, rows: int, **kwargs):
        super().__init__(*args, **kwargs)
        officers = selectors.delivering_officers(role=booking.service.role)
        self.fields["officer"].queryset = User.objects.filter(pk__in=[o.user_id for o in officers]).order_by(
            "first_name", "last_name")
        self.fields["officer"].label_from_instance = lambda u: u.display_name
        self.rows = rows
        layout = [Field.select("officer")]
        for n in range(1, rows + 1):
            self.fields[f"date_{n}"] = DateField(label="Date", required=n == 1)
            self.fields[f"days_{n}"] = forms.ChoiceField(label="Time", choices=[
                ("1.0", "Full day"), ("0.5", "Half day")], widget=forms.RadioSelect, required=False, initial="1.0")
            layout.append(Fieldset(Field(f"date_{n}"), Field.radios(f"days_{n}", inline=True),
                                   legend=f"Visit {n}" + ("" if n == 1 else " (optional)"),
                                   legend_size=Size.SMALL))
        layout.append(Field("version"))
        self.helper.layout = Layout(*layout)

    def dates(self) -> list[tuple[datetime.date, str]]:
        return [(self.cleaned_data[f"date_{n}"], self.cleaned_data.get(f"days_{n}") or "1.0")
                for n in range(1, self.rows + 1) if self.cleaned_data.get(f"date_{n}")]


class ReasonForm(GdsFormMixin, VersionedForm):
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, submit_label="Save", reason_label="Reason", reason_help="", **kwargs):
        self.submit_label = submit_label
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = reason_label
        self.fields["reason"].help_text = reason_help


class DeliverForm(GdsFormMixin, VersionedForm):
    submit_label = "Record delivery"
    delivered_units = _days_field("Units delivered", help_text="Fewer than booked releases the later dates.")
    notes = forms.CharField(label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 4}))


class CancelForm(GdsFormMixin, VersionedForm):
    submit_label = "Cancel booking"
    by_school = forms.TypedChoiceField(label="Who is cancelling?", coerce=lambda v: v == "school",
                                       choices=[("school", "The school asked to cancel (the notice rule applies)"),
                                                ("la", "The LA is cancelling (no charge)")],
                                       widget=forms.RadioSelect,
                                       error_messages={"required": "Choose who is cancelling the booking"})
    reason = forms.CharField(label="Why is the booking cancelled?", widget=forms.Textarea(attrs={"rows": 4}),
                             error_messages={"required": "Enter why the booking is cancelled"})

    def __init__(self, *args, la_user: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not la_user:
            del self.fields["by_school"]


# --- Packages -------------------------------------------------------------------------------------------------------

class PackageForm(GdsFormMixin, forms.Form):
    submit_label = "Buy package"
    school = forms.ModelChoiceField(queryset=School.objects.none(), label="School", empty_label=None)
    academic_year = forms.ModelChoiceField(queryset=AcademicYear.objects.none(), label="Academic year",
                                           empty_label=None)
    role = forms.ChoiceField(label="Whose time?", choices=TradedRole.choices, widget=forms.RadioSelect)
    days = _days_field("Days", help_text="Whole or half days. More days earn a reduced rate (see the tiers).")
    schedule = forms.ChoiceField(label="Invoices", choices=Package.Schedule.choices, widget=forms.RadioSelect,
                                 initial=Package.Schedule.SEVEN_FIVE)
    purchase_order = forms.CharField(label="Purchase order number (optional)", required=False, max_length=40,
                                     widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = user.schools.order_by("name")
        self.fields["academic_year"].queryset = AcademicYear.objects.filter(
            end_date__gte=timezone.localdate()).order_by("start_date")


# --- Invoices -------------------------------------------------------------------------------------------------------

def _recent_months(today: datetime.date, count: int = 13) -> list[tuple[str, str]]:
    months, year, month = [], today.year, today.month
    for _ in range(count):
        day = datetime.date(year, month, 1)
        months.append((day.isoformat(), f"{day:%B %Y}"))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months


class InvoiceRunForm(GdsFormMixin, forms.Form):
    submit_label = "Raise invoices"
    period_kind = forms.ChoiceField(label="What to invoice", widget=forms.RadioSelect, choices=[
        ("month", "A month: pay-as-you-go charges up to its end, and single-invoice packages"),
        ("term", "A term: the same, up to the term's end"),
        ("package_7_12", "Annual packages: 7/12 instalment (September to March)"),
        ("package_5_12", "Annual packages: 5/12 instalment (April to August)")])
    month = forms.TypedChoiceField(label="Month (for a month)", required=False, coerce=datetime.date.fromisoformat,
                                   empty_value=None)
    term = forms.ModelChoiceField(queryset=None, label="Term (for a term)", required=False,
                                  empty_label="Choose a term")
    academic_year = forms.ModelChoiceField(queryset=AcademicYear.objects.none(), required=False,
                                           label="Academic year (for package instalments)", empty_label="Choose a year")
    school = forms.ModelChoiceField(queryset=School.objects.none(), required=False, label="Schools",
                                    empty_label="Every school with charges",
                                    help_text="Or one school that has not yet been invoiced for the period.")
    issued_on = DateField(label="Invoice date (optional)", required=False, help_text="Leave empty for today.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = [("", "Choose a month"), *_recent_months(timezone.localdate())]
        self.fields["term"].queryset = school_days.la_terms().order_by("-start_date")
        self.fields["term"].label_from_instance = lambda t: f"{t.get_name_display()} term {t.academic_year.name}"
        self.fields["academic_year"].queryset = AcademicYear.objects.order_by("-start_date")
        self.fields["school"].queryset = School.objects.order_by("name")
        for name in ("month", "term", "academic_year", "school"):
            self.fields[name].widget.attrs["class"] = "govuk-select"


class PaidForm(GdsFormMixin, VersionedForm):
    submit_label = "Record payment"
    paid_on = DateField(label="Date paid")
    payment_reference = forms.CharField(label="Payment reference (optional)", required=False, max_length=60)


class CreditNoteForm(GdsFormMixin, forms.Form):
    submit_label = "Raise credit note"
    lines = forms.ModelMultipleChoiceField(queryset=InvoiceLine.objects.none(), label="Lines to credit",
                                           widget=forms.CheckboxSelectMultiple)
    reason = forms.CharField(label="Why is the credit note raised?", widget=forms.Textarea(attrs={"rows": 4}),
                             help_text="The school reads this.",
                             error_messages={"required": "Enter why the credit note is raised"})

    def __init__(self, *args, invoice, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lines"].queryset = invoice.lines.filter(credits__isnull=True).order_by("position", "pk")
        self.fields["lines"].label_from_instance = lambda line: f"{line.description}: £{line.total:,.2f}"


# --- Officer time ---------------------------------------------------------------------------------------------------

class CommitmentForm(GdsFormMixin, forms.Form):
    submit_label = "Record time"
    officer = forms.ModelChoiceField(queryset=User.objects.none(), label="Officer", empty_label="Choose an officer")
    date = DateField(label="Date", help_text="A school day on the LA's calendar.")
    days = forms.ChoiceField(label="Time", choices=[("1.0", "Full day"), ("0.5", "Half day")],
                             widget=forms.RadioSelect, initial="1.0")
    kind = forms.ChoiceField(label="What for?", choices=OfficerCommitment.Kind.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Choose what the officer's time is for"})
    note = forms.CharField(label="Note (optional)", required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = User.objects.filter(is_active=True, role__in=LA_ROLES,
                                                              traded_profile__is_active=True).order_by(
            "first_name", "last_name")
        self.fields["officer"].label_from_instance = lambda u: u.display_name
