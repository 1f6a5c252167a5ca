from .attendance import (
    AttendanceImport,
    AttendanceMarkChange,
    AttendanceMarkDetail,
    AttendanceSummary,
    AttendanceWeek,
    PnThresholdEntry,
    PnThresholdRun,
    SchoolRegisterStatus,
    Session,
)
from .audit import AuditEvent, ExportedPupil
from .calendar import AcademicYear, Closure, Term
from .ctf_review import CtfReviewItem
from .data_protection import AnonymisedPupil, RetentionRun
from .duplicates import DuplicateDismissal, PupilMerge
from .ehe import HomeEducationContact, HomeEducationRecord
from .exclusions import Exclusion, ExclusionReminder
from .jobs import Job
from .organisation import LocalAuthority, Partnership, School
from .provision import (
    APProvider,
    ChildNotInSchool,
    CMEEnquiry,
    CMERecord,
    FairAccessReferral,
    ManagedMove,
    PartTimeReview,
    PartTimeTimetable,
    Placement,
)
from .pupils import Carer, Enrolment, Family, Pupil
from .roll import RollNotification
from .stage_policy import StagePolicy
from .users import ApiTokenUse, SignInGroup, User

__all__ = [
    "DuplicateDismissal",
    "PupilMerge",
    "HomeEducationContact",
    "HomeEducationRecord",
    "ExportedPupil",
    "PnThresholdEntry",
    "PnThresholdRun",
    "SchoolRegisterStatus",
    "SignInGroup",
    "ApiTokenUse",
    "AnonymisedPupil",
    "RetentionRun",
    "APProvider",
    "ChildNotInSchool",
    "CMEEnquiry",
    "CMERecord",
    "Exclusion",
    "ExclusionReminder",
    "FairAccessReferral",
    "ManagedMove",
    "PartTimeReview",
    "PartTimeTimetable",
    "Placement",
    "AttendanceImport",
    "AttendanceMarkChange",
    "AttendanceMarkDetail",
    "AttendanceSummary",
    "AttendanceWeek",
    "Session",
    "AcademicYear",
    "AuditEvent",
    "Carer",
    "Closure",
    "CtfReviewItem",
    "Enrolment",
    "Family",
    "Job",
    "LocalAuthority",
    "Partnership",
    "Pupil",
    "RollNotification",
    "School",
    "StagePolicy",
    "Term",
    "User",
]
