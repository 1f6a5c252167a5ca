"""Seed the traded offer: seed 000's rate card, the menu entries schools can book (on the intervention catalogue),
two statutory core functions the catalogue lacked (targeting support meetings, advice) and reduced-rate tiers.

Seed 000 (East Sussex SBAS, June 2011): "The interventions are available for purchase by schools at the following
rates: B&A Adviser £340 per day (£190 per half day), B&A Officer £225 per day (£125 per half day), Legal
Interventions £275 per day (£155 per half day). Reduced rates will be available for multiple, advance purchases";
items marked * are only available pay-as-you-use. The 2024 guidance (statutory-rules.md 1.2) makes communication
and advice, TSMs, multi-disciplinary family support and legal intervention core functions that must not be traded:
those are seeded free, and the rate card's Legal Interventions row prices only non-core work (the exclusion-law
workshop for school leaders).

Data, not code: LA admins change rates (new rows with a later effective date), services and tiers afterwards.
Re-running never overwrites their edits (rows are created only when missing).
"""

import datetime
from decimal import Decimal

from django.db import migrations

SEED_000 = "Seed 000: East Sussex SBAS rate card (2011)"
GUIDANCE = "Working together to improve school attendance (2024): core functions, not traded"

RATES = [
    # role, day, half day
    ("adviser", "340.00", "190.00"),
    ("officer", "225.00", "125.00"),
    ("legal", "275.00", "155.00"),
]
RATES_FROM = datetime.date(2011, 4, 1)  # the 2011/12 financial year the report budgets for

# Local defaults: seed 000 promises reduced rates for multiple advance purchases without giving figures.
TIERS = [("5.0", "5.00"), ("10.0", "10.00"), ("20.0", "15.00")]

NEW_CATALOGUE = [
    ("Targeting support meeting", "attendance", "strategic",
     "The termly meeting between the school and its LA attendance officer to review the school's attendance data, "
     "identify pupils and cohorts at risk and agree targeted actions and the lead practitioner.",
     "Attendance plans for severely absent pupils; agreed actions for persistently absent pupils.",
     "LA attendance officer", "Half day", "statutory", "1_prevention", GUIDANCE),
    ("Attendance advice and consultation", "attendance", "strategic",
     "Advice to the school's attendance lead on attendance policy, registration, coding and the support and legal "
     "options available for a pupil or family.",
     "The school knows its next steps and the support the LA offers.", "LA attendance officer", "Half day",
     "statutory", "1_prevention", GUIDANCE),
]

# catalogue name: (role, unit, officer days per unit, charging, core function, pupils)
SERVICES = {
    "KS2 to KS3 transition": ("officer", "day", "1.0", "charged", "", "optional"),
    "Coaching and reflective practice for staff": ("adviser", "day", "1.0", "charged", "", "none"),
    "Emotional literacy assessment": ("adviser", "day", "1.0", "charged", "", "required"),
    "Supporting schools with CAF assessment and reviews": ("adviser", "half_day", "0.5", "charged", "", "optional"),
    "Support schools with behavioural risk assessments": ("adviser", "half_day", "0.5", "charged", "", "optional"),
    "Observation and assessment of an individual student": ("adviser", "half_day", "0.5", "charged", "",
                                                           "required"),
    "Helping students manage and control their anger or behaviour": ("adviser", "day", "1.0", "charged", "",
                                                                     "required"),
    "Reintegration support after permanent exclusion or a managed transfer": ("officer", "day", "1.0", "free", "",
                                                                              "required"),
    "Coping strategies for students in the classroom": ("officer", "day", "1.0", "charged", "", "required"),
    "Restorative mediation for school staff": ("officer", "day", "1.0", "charged", "", "none"),
    "Programme of emotional literacy support": ("adviser", "day", "1.0", "charged", "", "required"),
    "Social skills group work": ("officer", "day", "1.0", "charged", "", "optional"),
    "Exclusion from school workshop": ("legal", "half_day", "0.5", "charged", "", "none"),
    "Multi-agency representation (e.g. MARAC, Prevent and Deter)": ("officer", "half_day", "0.5", "free", "family",
                                                                     "optional"),
    "Register audit": ("officer", "half_day", "0.5", "charged", "", "none"),
    "Data analysis and strategy development": ("officer", "half_day", "0.5", "charged", "", "none"),
    "Parents' evening attendance stand": ("officer", "half_day", "0.5", "charged", "", "none"),
    "Get a Life attendance initiative": ("officer", "package", "3.0", "charged", "", "none"),
    "Specialist assembly on attendance": ("officer", "half_day", "0.5", "charged", "", "none"),
    "Staff training on attendance": ("officer", "half_day", "0.5", "charged", "", "none"),
    "MIS assistance for attendance data": ("officer", "half_day", "0.5", "charged", "", "none"),
    "Data consultation": ("officer", "half_day", "0.5", "charged", "", "none"),
    "Peer mentor training": ("officer", "day", "1.0", "charged", "", "none"),
    "Attendance panel": ("officer", "half_day", "0.5", "charged", "", "optional"),
    "Parental engagement and responsibility workshop": ("legal", "half_day", "0.5", "free", "legal", "optional"),
    "Targeting support meeting": ("officer", "half_day", "0.5", "free", "tsm", "none"),
    "Attendance advice and consultation": ("officer", "half_day", "0.5", "free", "advice", "optional"),
}


def seed(apps, schema_editor):
    Intervention = apps.get_model("interventions", "Intervention")
    TradedService = apps.get_model("interventions", "TradedService")
    Rate = apps.get_model("interventions", "Rate")
    DiscountTier = apps.get_model("interventions", "DiscountTier")

    existing = set(Intervention.objects.values_list("name", flat=True))
    last = Intervention.objects.order_by("-sort_order").values_list("sort_order", flat=True).first() or 0
    Intervention.objects.bulk_create([
        Intervention(name=name, strand=strand, section=section, details=details, intended_outcomes=outcomes,
                     staff_role=role, likely_duration=duration, funding=funding, stage=stage, source=source,
                     sort_order=last + 10 * n)
        for n, (name, strand, section, details, outcomes, role, duration, funding, stage, source)
        in enumerate(NEW_CATALOGUE, start=1) if name not in existing])

    catalogue = {i.name: i for i in Intervention.objects.filter(name__in=SERVICES)}
    have = set(TradedService.objects.values_list("intervention_id", flat=True))
    TradedService.objects.bulk_create([
        TradedService(intervention=catalogue[name], role=role, unit=unit, unit_days=Decimal(days), charging=charging,
                      core_function=core, pupils=pupils,
                      vat_treatment="standard")
        for name, (role, unit, days, charging, core, pupils) in SERVICES.items()
        if name in catalogue and catalogue[name].pk not in have])

    if not Rate.objects.filter(effective_from=RATES_FROM).exists():
        Rate.objects.bulk_create([
            Rate(role=role, effective_from=RATES_FROM, day_rate=Decimal(day), half_day_rate=Decimal(half),
                 source=SEED_000) for role, day, half in RATES])
    if not DiscountTier.objects.exists():
        DiscountTier.objects.bulk_create([DiscountTier(min_days=Decimal(d), percent=Decimal(p)) for d, p in TIERS])


def unseed(apps, schema_editor):
    apps.get_model("interventions", "TradedService").objects.filter(bookings__isnull=True).delete()
    apps.get_model("interventions", "Rate").objects.filter(source=SEED_000, bookings__isnull=True,
                                                           packages__isnull=True).delete()
    apps.get_model("interventions", "DiscountTier").objects.all().delete()
    apps.get_model("interventions", "Intervention").objects.filter(
        name__in=[row[0] for row in NEW_CATALOGUE], plans__isnull=True, traded_service__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("interventions", "0003_traded_services")]

    operations = [migrations.RunPython(seed, unseed)]
