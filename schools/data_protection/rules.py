"""Data protection rules as data: retention, legal holds, and how each pupil-linked model is exported and anonymised.

The subject-access export and the retention job both walk every model that points at a pupil (directly or through a
pupil-linked parent: schools.data_protection.subject_access.pupil_linked_models). This module says, for each of those
models, what its section is called in the readable export and which of its text fields are *not* personal data and so
survive anonymisation. tests/data_protection/test_coverage.py fails when a model joins the walk without an entry here,
so a new app's model can be neither silently left out of an export nor silently left un-anonymised.
"""

from __future__ import annotations

from django.conf import settings

# ---------------------------------------------------------------------------------------------------------------
# Retention. The figures are the LA's to set (settings DATA_RETENTION_YEARS_AFTER_LEAVING and DATA_RETENTION_MIN_AGE,
# from the environment); the defaults follow the IRMS Information Management Toolkit for Schools (pupil educational
# record: date of birth of the pupil + 25 years) and the common local-authority practice for closed casework
# (6 years after the last involvement). Neither is a statute: the LA's own retention schedule decides.
RETENTION_SOURCE = (
    "Local authority retention schedule. Defaults: IRMS Information Management Toolkit for Schools (pupil record "
    "kept until the pupil is 25) and 6 years after the pupil left the authority's schools (closed casework); "
    "check both against your authority's own schedule."
)


def retention_years_after_leaving() -> int:
    return settings.DATA_RETENTION_YEARS_AFTER_LEAVING


def retention_min_age() -> int:
    return settings.DATA_RETENTION_MIN_AGE


# A subject access export is a copy made to answer one request (the reply is due within a month, UK GDPR Art. 12(3));
# the service deletes its file this many days after it was made. The service's own rule, not a statutory period.
SUBJECT_ACCESS_EXPORT_KEEP_DAYS = 90

# Legal holds: a pupil with any of these records still live is never anonymised, whatever their age or leaving date.
# (model label, pupil lookup, status field, statuses that hold, the reason shown on the dry run and the run summary)
LEGAL_HOLDS: list[tuple[str, str, str, tuple[str, ...], str]] = [
    ("legal.Prosecution", "pupil", "status", ("preparing", "laid"), "Prosecution not concluded"),
    ("legal.EducationSupervisionOrder", "pupil", "status", ("applied", "in_force"),
     "Education supervision order applied for or in force"),
    ("legal.SchoolAttendanceOrder", "pupil", "stage", ("notice", "order", "not_complied"),
     "School attendance order process running"),
    ("legal.PenaltyNotice", "pupil", "status", ("issued", "unpaid", "referred"),
     "Penalty notice unpaid or referred for prosecution"),
    ("legal.LegalPathway", "pupil", "status", ("open",), "Legal pathway open"),
    ("cases.Case", "pupil", "status", ("referred", "open"), "Case still open"),
]

# ---------------------------------------------------------------------------------------------------------------
# Relations the walk must not follow: following them would reach *other* pupils' records.
NOT_ABOUT_THIS_PUPIL: dict[str, str] = {
    # A sibling's case linked for whole-family working is the sibling's record, not this pupil's.
    "cases.Case.linked_cases": "Links to siblings' cases; those are the siblings' records.",
    # A CTF item's candidate is only a possible match: the file may be about another child.
    "schools.CtfReviewItem.candidate": "A possible match only; the held data may be another child's.",
}

# ---------------------------------------------------------------------------------------------------------------
# Every pupil-linked model: its section title in the readable export, and the text fields kept on anonymisation
# (codes, references and machine values that identify nobody). Every other free-text field (CharField, TextField,
# EmailField without choices and not unique), every JSON field and every file is cleared by the retention job.
MODELS: dict[str, dict] = {
    "schools.Pupil": {"title": "Identity and characteristics", "keep": ()},
    "schools.Enrolment": {"title": "Enrolments", "keep": ()},
    "schools.AttendanceWeek": {"title": "Attendance register (week by week)", "keep": ("marks",)},
    "schools.AttendanceMarkDetail": {"title": "Attendance: minutes late and school comments", "keep": ()},
    "schools.AttendanceSummary": {"title": "Attendance summaries", "keep": ()},
    "schools.AttendanceMarkChange": {"title": "Attendance mark corrections", "keep": ("old_code", "new_code")},
    "schools.AuditEvent": {"title": "Record access and changes (audit trail)", "keep": ("username", "object_type",
                                                                                      "object_id", "path")},
    "schools.ExportedPupil": {"title": "Downloads that named the pupil (audit trail)", "keep": ()},
    "schools.PnThresholdEntry": {"title": "Penalty-notice threshold worklist", "keep": ("last_action",)},
    "schools.CtfReviewItem": {"title": "Common Transfer File review items", "keep": ()},
    "schools.Exclusion": {"title": "Exclusions and suspensions", "keep": ("board_rule",)},
    "schools.ExclusionReminder": {"title": "Exclusion deadline reminders", "keep": ()},
    "schools.Placement": {"title": "Placements and alternative provision", "keep": ("provider_name",)},
    "schools.PartTimeTimetable": {"title": "Part-time timetables", "keep": ()},
    "schools.PartTimeReview": {"title": "Part-time timetable reviews", "keep": ()},
    "schools.ManagedMove": {"title": "Managed moves", "keep": ()},
    "schools.FairAccessReferral": {"title": "Fair Access referrals", "keep": ()},
    "schools.CMERecord": {"title": "Children missing education", "keep": ()},
    "schools.CMEEnquiry": {"title": "Children missing education: enquiries", "keep": ()},
    "schools.ChildNotInSchool": {"title": "Children not in school register", "keep": ()},
    # Roll notifications (schools.roll): the names, addresses and notes are cleared; the codes (kind, ground, step)
    # have choices and are kept.
    "schools.RollNotification": {"title": "Admission and deletion notices from schools", "keep": ()},
    # Elective home education (schools.ehe): the reasons, notes and replies are the family's words.
    "schools.HomeEducationRecord": {"title": "Elective home education", "keep": ()},
    "schools.HomeEducationContact": {"title": "Elective home education: contacts and visits", "keep": ()},
    "schools.AnonymisedPupil": {"title": "Anonymisation record", "keep": ()},
    # Duplicate pupils (schools.duplicates): the merged-away record's copy and the note are cleared with the pupil.
    "schools.DuplicateDismissal": {"title": "Records marked as not the same child", "keep": ()},
    "schools.PupilMerge": {"title": "Records merged into this one", "keep": ()},
    "cases.Case": {"title": "Cases", "keep": ()},
    "cases.Referral": {"title": "Referrals", "keep": ("reasons",)},
    "cases.Allocation": {"title": "Case allocations", "keep": ()},
    "cases.StageChange": {"title": "Case stage changes", "keep": ()},
    "cases.CaseClosure": {"title": "Case closures", "keep": ()},
    "cases.ChronologyEntry": {"title": "Case chronology (including restricted entries)", "keep": ()},
    "cases.ChronologyRevision": {"title": "Chronology corrections (earlier wording)", "keep": ()},
    "cases.Attachment": {"title": "Attachments", "keep": ("content_type",)},
    "cases.Review": {"title": "Case reviews", "keep": ()},
    "cases.Task": {"title": "Case tasks", "keep": ()},
    "cases.CaseReminder": {"title": "Case reminders", "keep": ()},
    "cases.TsmPupil": {"title": "Discussed at targeting support meetings", "keep": ()},
    "cases.Alert": {"title": "Early-warning alerts", "keep": ()},
    "interventions.InterventionPlan": {"title": "Intervention plans", "keep": ()},
    "interventions.Booking": {"title": "Traded service bookings naming the pupil",
                              "keep": ("purchase_order", "preferred_dates")},
    "interventions.BookingDate": {"title": "Dates of traded bookings naming the pupil", "keep": ()},
    # Invoice lines are the council's financial record (kept under its own finance retention); they name services.
    "interventions.InvoiceLine": {"title": "Invoice lines for bookings naming the pupil",
                                  "keep": ("description", "unit_label")},
    "interventions.BookingPupil": {"title": "Pupils named on traded bookings", "keep": ()},
    "legal.LegalPathway": {"title": "Legal pathways", "keep": ()},
    "legal.NoticeToImprove": {"title": "Notices to improve", "keep": ()},
    "legal.PenaltyNoticeRequest": {"title": "Penalty notice requests from schools", "keep": ()},
    "legal.RequestEvidence": {"title": "Penalty notice request evidence", "keep": ("content_type",)},
    "legal.PenaltyNotice": {"title": "Penalty notices", "keep": ("regime",)},
    "legal.Payment": {"title": "Penalty notice payments", "keep": ("transaction_reference",)},
    # A payments file's line (legal.payments): the reference is the council's, the payer's name is personal.
    "legal.PaymentLine": {"title": "Payments file lines", "keep": ("reference", "reference_key", "method")},
    "legal.Contract": {"title": "Attendance and parenting contracts", "keep": ()},
    "legal.ContractReview": {"title": "Contract reviews", "keep": ()},
    "legal.EsoConsideration": {"title": "Education supervision order considerations", "keep": ()},
    "legal.EducationSupervisionOrder": {"title": "Education supervision orders", "keep": ("court",)},
    "legal.EsoExtension": {"title": "Education supervision order extensions", "keep": ()},
    "legal.SchoolAttendanceOrder": {"title": "School attendance orders", "keep": ()},
    "legal.Prosecution": {"title": "Prosecutions", "keep": ("court",)},
    "legal.Hearing": {"title": "Court hearings", "keep": ("court",)},
    "legal.ParentingOrder": {"title": "Parenting orders", "keep": ("court",)},
    "legal.Letter": {"title": "Letters", "keep": ()},
    # Our reference and Notify's id let the LA answer Notify about a message; the rest (address, email, phone,
    # personalisation) is cleared with the pupil.
    "legal.NotifyMessage": {"title": "Letters, emails and texts to the family (GOV.UK Notify)",
                            "keep": ("reference", "channel", "route")},
    "legal.LegalAlert": {"title": "Legal alerts", "keep": ()},
}

# The pupil's own identity fields are replaced rather than cleared (the record stays countable and listable).
PUPIL_REPLACEMENTS_NOTE = (
    "Names become 'Anonymised' / 'Pupil <record number>', the UPN becomes a placeholder that no real UPN can be "
    "(ZZ and the record number), the date of birth keeps its year and month (the 1st of the month) for statistics, "
    "social worker details and the former UPN are cleared. Sex, ethnicity, SEN, FSM and other coded "
    "characteristics stay, so figures already reported do not change."
)
