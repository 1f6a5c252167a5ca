from .audit import AuditEvent
from .calendar import AcademicYear, Closure, Term
from .jobs import Job
from .organisation import LocalAuthority, Partnership, School
from .pupils import Carer, Enrolment, Family, Pupil
from .users import User

__all__ = [
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
