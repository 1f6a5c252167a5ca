"""The default evidenced-support checklist (seed 001 §3.3; Milton Keynes: communication, a home visit, support and an
early-help referral before a formal warning letter) and the five letter templates. LA admins change both in the
admin site; this only fills an empty table."""

from django.db import migrations

CHECKLIST = [
    # label, guidance, allows_reason, entry_type, meeting_type, summary_contains, interventions, contract, letter
    ("Early help offered", "An Early Help assessment or Team Around the Family meeting, or the plan that followed.",
     False, "meeting", "taf", "", ["Early Help assessment and plan", "Team Around the Family (TAF) meetings"], False,
     ""),
    ("Attendance contract, or why not", "An attendance or parenting contract agreed with the parent, or the reason "
     "one was not offered (e.g. the parent would not meet).", True, "", "", "", ["Parenting contract"], True, ""),
    ("Home visit", "At least one home visit or meeting with the family.", False, "home_visit", "", "", ["Home visit"],
     False, ""),
    ("Warning letter", "A formal warning letter to the parents before legal action.", False, "letter", "",
     "warning", [], False, "warning_letter"),
]

LETTERS = [
    ("warning_letter", "Warning letter", "Your child's school attendance: formal warning",
     "Dear {{ parent_name }},\n\n"
     "I am writing about {{ child_name }}'s attendance at {{ school_name }}. This academic year {{ child_name }} has "
     "attended {{ attendance_percent }} of sessions, with {{ unauthorised_sessions }} sessions of unauthorised "
     "absence.\n\n"
     "As a parent you have a legal duty to make sure your child attends school regularly (section 7 and section 444 "
     "of the Education Act 1996). If {{ child_name }}'s attendance does not improve the local authority may take "
     "legal action, which can include a penalty notice or prosecution.\n\n"
     "We want to help. Please contact me to arrange a meeting so that we can agree the support your family "
     "needs.\n\n"
     "Yours sincerely,\n\n{{ officer_name }}\n{{ officer_job_title }}\n{{ la_name }}"),
    ("notice_to_improve", "Notice to improve", "Notice to improve: {{ child_name }}'s attendance",
     "Dear {{ parent_name }},\n\n"
     "{{ child_name }}'s attendance at {{ school_name }} is {{ attendance_percent }} this year. The support offered "
     "has not yet led to regular attendance.\n\n"
     "This is a notice to improve. {{ child_name }} must attend every session until {{ improvement_ends_on }}. If "
     "attendance does not improve in that time, the local authority will consider issuing a penalty notice.\n\n"
     "The support offered to you remains available. Please contact me if anything is getting in the way.\n\n"
     "Yours sincerely,\n\n{{ officer_name }}\n{{ la_name }}"),
    ("penalty_notice", "Penalty notice", "Penalty notice {{ notice_reference }}",
     "Dear {{ parent_name }},\n\n"
     "Penalty notice {{ notice_reference }} (section 444A of the Education Act 1996) is issued to you for "
     "{{ notice_type }} of {{ child_name }} ({{ child_upn }}) from {{ notice_period }}.\n\n"
     "Amount: {{ notice_amount }}. Pay in full by {{ full_due_date }}. Payment discharges your liability for this "
     "absence. If you do not pay, the local authority will consider prosecuting you for the offence under section "
     "444 or withdraw the notice.\n\n"
     "Quote {{ notice_reference }} when you pay.\n\n"
     "{{ officer_name }}\n{{ la_name }}"),
    ("attendance_contract", "Attendance contract", "Attendance contract for {{ child_name }}",
     "Dear {{ parent_name }},\n\n"
     "Thank you for meeting us. This letter confirms the attendance contract we agreed for {{ child_name }} at "
     "{{ school_name }}.\n\n"
     "You agreed to: {{ contract_requirements }}\n\n"
     "We will review the contract with you on {{ contract_review_date }}. The contract is voluntary, and the support "
     "we agreed will continue.\n\n"
     "Yours sincerely,\n\n{{ officer_name }}\n{{ la_name }}"),
    ("prosecution_cover", "Prosecution cover letter", "Court proceedings: {{ child_name }}'s school attendance",
     "Dear {{ parent_name }},\n\n"
     "The local authority has laid an information at {{ court_name }} alleging an offence under section 444 of the "
     "Education Act 1996 about {{ child_name }}'s attendance. The summons and the evidence are enclosed.\n\n"
     "You may wish to seek legal advice. Support for {{ child_name }}'s attendance remains available: please contact "
     "me.\n\n"
     "Yours sincerely,\n\n{{ officer_name }}\n{{ la_name }}"),
]


def seed(apps, schema_editor):
    Item = apps.get_model("legal", "SupportChecklistItem")
    Intervention = apps.get_model("interventions", "Intervention")
    Template = apps.get_model("legal", "LetterTemplate")
    if not Item.objects.exists():
        for order, (label, guidance, allows, entry_type, meeting, words, names, contract, letter) in enumerate(
                CHECKLIST):
            item = Item.objects.create(label=label, guidance=guidance, allows_reason=allows, entry_type=entry_type,
                                       meeting_type=meeting, summary_contains=words, contract_counts=contract,
                                       letter_kind=letter, sort_order=order)
            item.interventions.set(Intervention.objects.filter(name__in=names))
    if not Template.objects.exists():
        for kind, name, subject, body in LETTERS:
            Template.objects.create(kind=kind, name=name, subject=subject, body=body)


class Migration(migrations.Migration):
    dependencies = [("legal", "0001_initial"), ("interventions", "0002_seed_catalogue")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
