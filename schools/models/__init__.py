from .attendance import (
    AttendanceCodeCount,
    AttendanceImport,
    AttendanceMark,
    AttendanceMarkChange,
    AttendanceSummary,
    Session,
)
from .audit import AuditEvent
from .calendar import AcademicYear, Closure, Term
from .jobs import Job
from .organisation import LocalAuthority, Partnership, School
from .pupils import Carer, Enrolment, Family, Pupil
from .users import User

__all__ = [
    "AttendanceCodeCount",
    "AttendanceImport",
    "AttendanceMark",
    "AttendanceMarkChange",
    "AttendanceSummary",
    "Session",
    "AcademicYear",
    "AuditEvent",
    "Carer",
    "Closure",
    "Enrolment",
    "Family",
    "Job",
    "LocalAuthority",
    "Partnership",
    "Pupil",
    "School",
    "Term",
    "User",
]
