# The default early-warning rules (issue 15), each with its figures, who it goes to and the guidance it follows. LA
# admins change them in the admin site afterwards; this migration only adds the ones not already there (by key) and,
# going back, removes those that opened no alert.

from django.db import migrations

WHO = ("The pupil's case officer if they have an open case; otherwise the school's link officer; otherwise the team "
       "inbox. The school's own staff see the alerts about their pupils too.")

RULES = [
    {
        "key": "unexplained-in-a-row",
        "name": "3 unexplained absences in a row",
        "kind": "consecutive_unexplained",
        "sessions": 3,
        "weeks": 2,
        "condition": "The pupil's register shows 3 or more sessions in a row marked N (reason not yet provided) or O "
                     "(unauthorised, other reason) in the last 2 school weeks. Only sessions the school was open for "
                     "count, so the run carries on across a weekend or a holiday: Friday afternoon, Monday morning "
                     "and Monday afternoon are 3 in a row.",
        "goes_to": f"{WHO} Check the school has contacted the family (first-day calling) and knows where the child "
                   "is; N must be replaced with the right code within 5 school days.",
        "source": "DfE, Working together to improve school attendance (statutory from 19 August 2024): schools follow "
                  "up unexplained absence from the first day and work with the LA where it continues; the School "
                  "Attendance (Pupil Registration) (England) Regulations 2024: code N is replaced within 5 school "
                  "days. Three sessions in a row is this LA's early-warning point, not a national threshold.",
    },
    {
        "key": "vulnerable-unauthorised",
        "name": "Unauthorised absence: looked after, CIN/CP or EHC plan",
        "kind": "vulnerable_unauthorised",
        "sessions": 1,
        "weeks": 2,
        "condition": "A pupil who is looked after, is a child in need or on a child protection plan, or has an EHC "
                     "plan has at least 1 session of unauthorised or unexplained absence (G, N, O or U) in the last 2 "
                     "school weeks.",
        "goes_to": f"{WHO} Make sure the social worker and, for a looked-after child, the virtual school head know "
                   "(the SEND team for a pupil with an EHC plan), and agree who follows it up.",
        "source": "DfE, Working together to improve school attendance (2024): pupils with a social worker and pupils "
                  "with SEND need particular support, with schools and LAs working with the social worker, the "
                  "virtual school head and SEND services when their attendance falls; DfE, Promoting the education "
                  "of children with a social worker (virtual school head role, 2021, updated 2024).",
    },
    {
        "key": "suspension-social-worker",
        "name": "Suspension of a child with a social worker",
        "kind": "suspension_social_worker",
        "weeks": 4,
        "condition": "A suspension, lunchtime exclusion or permanent exclusion (not cancelled) started in the last 4 "
                     "weeks, or starts later, for a pupil with a social worker: a social worker named on the pupil's "
                     "record, looked after, a child in need or on a child protection plan.",
        "goes_to": f"{WHO} Check the head teacher has told the social worker and, for a looked-after child, the "
                   "virtual school head, and plan the pupil's return.",
        "source": "DfE, Suspension and permanent exclusion from maintained schools, academies and pupil referral "
                  "units in England, including pupil movement (2024): the head teacher must, without delay, notify "
                  "the parents, the local authority and, where the pupil has one, the social worker and the virtual "
                  "school head.",
    },
    {
        "key": "persistent-absence-term",
        "name": "Persistent absence this term",
        "kind": "persistent_absence",
        "sessions": 10,
        "condition": "The pupil has missed 10% or more of their possible sessions this term (authorised and "
                     "unauthorised absence, counted per enrolment as the DfE does), once they have had at least 10 "
                     "possible sessions this term, so the first days of a term do not set it off.",
        "goes_to": f"{WHO} Bring the pupil to the school's next targeting support meeting and agree support.",
        "source": "DfE persistent absence: missing 10% or more of possible sessions (DfE pupil absence statistics "
                  "methodology; Working together to improve school attendance, 2024). The minimum of 10 possible "
                  "sessions is this LA's choice.",
    },
    {
        "key": "severe-absence-term",
        "name": "Severe absence this term",
        "kind": "severe_absence",
        "sessions": 10,
        "condition": "The pupil has missed 50% or more of their possible sessions this term, once they have had at "
                     "least 10 possible sessions this term.",
        "goes_to": f"{WHO} Severely absent pupils need a multi-agency plan, agreed at the targeting support "
                   "meeting.",
        "source": "DfE severe absence: missing 50% or more of possible sessions (DfE pupil absence statistics); "
                  "Working together to improve school attendance (2024) expects an attendance plan for every "
                  "severely absent pupil, discussed at the targeting support meeting. The minimum of 10 possible "
                  "sessions is this LA's choice.",
    },
    {
        "key": "attendance-fall",
        "name": "Attendance falling",
        "kind": "attendance_fall",
        "points": 5,
        "weeks": 4,
        "condition": "The pupil's attendance over their last 4 school weeks is 5 percentage points or more below "
                     "their attendance over the whole of the term before: for example 96% last term and 90% in the "
                     "last 4 school weeks.",
        "goes_to": f"{WHO} Ask the school what has changed and whether early help is needed.",
        "source": "DfE, Working together to improve school attendance (2024): schools and LAs use attendance data to "
                  "spot pupils whose attendance is falling and step in early, before absence becomes persistent. "
                  "Five points over four school weeks is this LA's own trend rule, shown in full so anyone can check "
                  "it by hand.",
    },
]


def seed(apps, schema_editor):
    AlertRule = apps.get_model("cases", "AlertRule")
    have = set(AlertRule.objects.values_list("key", flat=True))
    AlertRule.objects.bulk_create([AlertRule(**rule) for rule in RULES if rule["key"] not in have])


def unseed(apps, schema_editor):
    AlertRule = apps.get_model("cases", "AlertRule")
    AlertRule.objects.filter(key__in=[rule["key"] for rule in RULES], alerts__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [("cases", "0005_alerts_and_link_officers")]

    operations = [migrations.RunPython(seed, unseed)]
