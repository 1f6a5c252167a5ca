"""Roles and what each may do: the one place role rules live (DESIGN.md, Access model).

Row-level scope (which pupils a user can reach) lives in schools.scoping; this module answers
"may this role do this kind of thing at all".
"""

from django.core.exceptions import PermissionDenied
from django.db import models


class Role(models.TextChoices):
    LA_ADMIN = "la_admin", "LA admin"
    LA_MANAGER = "la_manager", "LA manager"
    LA_OFFICER = "la_officer", "LA officer"
    LEGAL_OFFICER = "legal_officer", "Legal officer"
    SCHOOL_USER = "school_user", "School user"


# Roles that work for the local authority and so see every pupil in it.
LA_ROLES = frozenset({Role.LA_ADMIN, Role.LA_MANAGER, Role.LA_OFFICER, Role.LEGAL_OFFICER})


class Capability(models.TextChoices):
    EDIT_PUPILS = "edit_pupils", "Create and edit pupils, enrolments and families"
    READ_AUDIT = "read_audit", "Read the audit log"
    EXPORT_PUPILS = "export_pupils", "Export pupil lists"
    ADMINISTER = "administer", "Administer users, schools, calendars and code tables"
    RECORD_EXCLUSIONS = "record_exclusions", "Record, review and cancel exclusions"
    RECORD_PROVISION = "record_provision", "Record placements, part-time timetables and managed moves"
    VIEW_LA_REGISTERS = "view_la_registers", "See the LA's AP, Fair Access, CME and CNIS registers"
    MANAGE_LA_REGISTERS = "manage_la_registers", "Keep the LA's AP, Fair Access, CME and CNIS registers"
    # Traded services (issue 7). School users reach only their own school's bookings, packages and invoices
    # (interventions.models.traded.SchoolLinkedQuerySet); legal officers' work is the free statutory core.
    USE_TRADED = "use_traded", "See traded services: catalogue, bookings, packages and invoices"
    MANAGE_TRADED_CATALOGUE = "manage_traded_catalogue", "Keep the traded catalogue, rate card and discount tiers"
    BOOK_TRADED = "book_traded", "Book traded services and buy annual packages for the school"
    MANAGE_TRADED_BOOKINGS = "manage_traded_bookings", "Confirm, decline and cancel bookings; record delivery and time"
    INVOICE_TRADED = "invoice_traded", "Raise invoices and credit notes; record payments; read traded income"
    # Cases (issue 4). Row rules on top of these (an officer works only cases allocated to them) live in
    # cases.permissions.
    REFER_PUPILS = "refer_pupils", "Refer a pupil on the school's roll to the LA"
    TRIAGE_REFERRALS = "triage_referrals", "Accept or decline referrals, allocate and reallocate cases"
    WORK_CASES = "work_cases", "Open cases and work them: stage, chronology, plans, reviews, tasks, closure"
    READ_RESTRICTED = "read_restricted", "Read restricted (safeguarding, medical) chronology entries"
    MANAGE_TSMS = "manage_tsms", "Record targeting support meetings"
    EXPORT_CASES = "export_cases", "Export case lists"
    IMPORT_ATTENDANCE = "import_attendance", "Import register marks (CSV or CTF)"
    # Legal interventions (issue 6). Row scope: legal records are LA-only; a school reaches only its own requests.
    VIEW_LEGAL = "view_legal", "Read legal records: pathways, notices, contracts, orders, prosecutions"
    REQUEST_PENALTY_NOTICE = "request_penalty_notice", "Ask the LA to issue a penalty notice, with evidence"
    DECIDE_PN_REQUESTS = "decide_pn_requests", "Decide schools' penalty-notice requests"
    WORK_LEGAL = "work_legal", "Open legal pathways; issue notices; record contracts, orders and letters"
    OVERRIDE_SUPPORT_GATE = "override_support_gate", "Open a legal pathway without the evidenced support, with a reason"
    RECORD_PAYMENTS = "record_payments", "Record penalty-notice payments and withdrawals"
    PROSECUTE = "prosecute", "Prepare and record prosecutions, hearings and outcomes"
    MANAGE_LETTER_TEMPLATES = "manage_letter_templates", "Edit the legal letter templates"
    # Reporting (issue 8). Which figures a dashboard adds up is row scope (reporting.selectors.Scope): the LA for
    # managers, an officer's schools, a school user's own school.
    VIEW_REPORTS = "view_reports", "See the reporting dashboards, the glossary and the termly reports one may read"
    GENERATE_LA_REPORTS = "generate_la_reports", "Make LA-wide and partnership termly reports"
    GENERATE_SCHOOL_REPORTS = "generate_school_reports", "Make a termly report for a school one can see"
    # Data protection (issue 9). Answering a subject access request is the LA's duty as controller, and the export
    # holds restricted entries and the audit trail, so it is for managers and admins only.
    RUN_SUBJECT_ACCESS = "run_subject_access", "Export everything held on a pupil (subject access request)"
    MANAGE_RETENTION = "manage_retention", "See the retention policy, who is due for anonymisation and past runs"
    # Roll notifications (issue 21): schools send new pupil and deletion returns (LA staff may send one on a school's
    # behalf); LA editors triage deletion notices into the CME, EHE and exclusion records.
    SEND_ROLL_NOTIFICATIONS = "send_roll_notifications", "Send admission and deletion notices to the LA"
    TRIAGE_ROLL_NOTIFICATIONS = "triage_roll_notifications", "Match and triage schools' roll notifications"


CAPABILITIES: dict[str, frozenset[str]] = {
    Capability.EDIT_PUPILS: frozenset({Role.LA_ADMIN, Role.LA_MANAGER, Role.LA_OFFICER}),
    Capability.READ_AUDIT: frozenset({Role.LA_ADMIN, Role.LA_MANAGER}),
    Capability.EXPORT_PUPILS: frozenset(Role.values),
    Capability.ADMINISTER: frozenset({Role.LA_ADMIN}),
    # Schools record their own exclusions and the provision they arrange; LA staff may record on a school's behalf.
    Capability.RECORD_EXCLUSIONS: frozenset({Role.LA_ADMIN, Role.LA_MANAGER, Role.LA_OFFICER, Role.SCHOOL_USER}),
    Capability.RECORD_PROVISION: frozenset({Role.LA_ADMIN, Role.LA_MANAGER, Role.LA_OFFICER, Role.SCHOOL_USER}),
    Capability.VIEW_LA_REGISTERS: LA_ROLES,
    Capability.MANAGE_LA_REGISTERS: frozenset({Role.LA_ADMIN, Role.LA_MANAGER, Role.LA_OFFICER}),
    Capability.USE_TRADED: frozenset({Role.LA_ADMIN, Role.LA_MANAGER, Role.LA_OFFICER, Role.SCHOOL_USER}),
    Capability.MANAGE_TRADED_CATALOGUE: frozenset({Role.LA_ADMIN}),
    Capability.BOOK_TRADED: frozenset({Role.SCHOOL_USER}),
    Capability.MANAGE_TRADED_BOOKINGS: frozenset({Role.LA_ADMIN, Role.LA_MANAGER, Role.LA_OFFICER}),
    Capability.INVOICE_TRADED: frozenset({Role.LA_ADMIN, Role.LA_MANAGER}),
    Capability.REFER_PUPILS: frozenset({Role.SCHOOL_USER}),
    Capability.TRIAGE_REFERRALS: frozenset({Role.LA_ADMIN, Role.LA_MANAGER}),
    Capability.WORK_CASES: frozenset({Role.LA_ADMIN, Role.LA_MANAGER, Role.LA_OFFICER}),
    Capability.READ_RESTRICTED: LA_ROLES,
    Capability.MANAGE_TSMS: frozenset({Role.LA_ADMIN, Role.LA_MANAGER, Role.LA_OFFICER}),
    Capability.EXPORT_CASES: frozenset(Role.values),
    # Schools import their own registers; LA officers import for any school (scope limits which rows land).
    Capability.IMPORT_ATTENDANCE: frozenset({Role.LA_ADMIN, Role.LA_MANAGER, Role.LA_OFFICER, Role.SCHOOL_USER}),
    Capability.VIEW_LEGAL: LA_ROLES,
    Capability.REQUEST_PENALTY_NOTICE: frozenset({Role.SCHOOL_USER}),
    Capability.DECIDE_PN_REQUESTS: frozenset({Role.LEGAL_OFFICER, Role.LA_MANAGER}),
    Capability.WORK_LEGAL: frozenset({Role.LA_MANAGER, Role.LA_OFFICER, Role.LEGAL_OFFICER}),
    Capability.OVERRIDE_SUPPORT_GATE: frozenset({Role.LA_MANAGER}),
    Capability.RECORD_PAYMENTS: frozenset({Role.LA_MANAGER, Role.LEGAL_OFFICER}),
    Capability.PROSECUTE: frozenset({Role.LA_MANAGER, Role.LEGAL_OFFICER}),
    Capability.MANAGE_LETTER_TEMPLATES: frozenset({Role.LA_ADMIN, Role.LEGAL_OFFICER}),
    Capability.VIEW_REPORTS: frozenset(Role.values),
    Capability.GENERATE_LA_REPORTS: frozenset({Role.LA_ADMIN, Role.LA_MANAGER}),
    Capability.GENERATE_SCHOOL_REPORTS: frozenset({Role.LA_ADMIN, Role.LA_MANAGER, Role.LA_OFFICER,
                                                   Role.SCHOOL_USER}),
    Capability.RUN_SUBJECT_ACCESS: frozenset({Role.LA_ADMIN, Role.LA_MANAGER}),
    Capability.MANAGE_RETENTION: frozenset({Role.LA_ADMIN, Role.LA_MANAGER}),
    Capability.SEND_ROLL_NOTIFICATIONS: frozenset({Role.LA_ADMIN, Role.LA_MANAGER, Role.LA_OFFICER, Role.SCHOOL_USER}),
    Capability.TRIAGE_ROLL_NOTIFICATIONS: frozenset({Role.LA_ADMIN, Role.LA_MANAGER, Role.LA_OFFICER}),
}


def role_can(role: str, capability: str) -> bool:
    return role in CAPABILITIES[capability]


def require(user, capability: str, *, doing: str = "") -> None:
    """Services call this before any write: a user without the capability is refused with Django's PermissionDenied,
    which every page answers with 403 and the API with a 403 JSON body. ``doing`` words the refusal ("import
    attendance"); by default it is the capability's own name."""
    if not (hasattr(user, "can") and user.can(capability)):
        who = getattr(user, "username", "") or "anonymous"
        raise PermissionDenied(f"{who} may not {doing or capability.replace('_', ' ')}.")
