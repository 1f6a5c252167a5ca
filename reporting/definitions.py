"""What every reported figure means and where it comes from: the glossary page, the PDF's footnotes and the API's
``definitions`` all read this one list, so a figure is defined once.

Sources: shared/reference/statutory-rules.md (§1.4 rates and persistent/severe absence, §3 penalty notices, §5
exclusions, §6 provision, §8 national figures) and the seeds (000: the exclusions appendix and its "x" convention;
004: Fair Access bands).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Definition:
    key: str
    section: str
    title: str
    meaning: str
    source: str


ATTENDANCE = "Attendance and absence"
EXCLUSIONS = "Suspensions and permanent exclusions"
LEGAL = "Legal interventions"
CASEWORK = "Casework"
PROVISION = "Provision"
TRADED = "Traded services"
GENERAL = "Reading the figures"

DEFINITIONS: list[Definition] = [
    Definition("period", GENERAL, "Period",
               "Every figure names the period it covers: an LA term (or the term to date while it runs), a whole "
               "academic year or a year to date. Attendance for a term counts each school's own term of that name "
               "(an academy on its own dates is counted under its own autumn term).",
               "How this service counts."),
    Definition("scope", GENERAL, "Who is counted",
               "A manager's dashboard and the LA report count every school; a partnership's report its schools; a "
               "school's report and a school user's dashboard that school only. An LA officer's dashboard counts "
               "their schools: the schools they are link officer for, and any school where they hold an open case "
               "or held a targeting support meeting this academic year.",
               "How this service counts."),
    Definition("suppression", GENERAL, "Small numbers (x)",
               "When small numbers are suppressed, a count from 1 to 4 is shown as x, and so is any percentage or "
               "average worked out from such a count, so individual pupils cannot be identified. Zero is shown.",
               "The convention of earlier committee papers: \"x less than 5, or a rate based on less than 5\"."),
    Definition("characteristics", GENERAL, "Pupil groups",
               "Sex, SEN status, free school meals, looked-after and CIN/CP status and ethnicity are the pupil's as "
               "recorded now; the year group is the enrolment's. Ethnicity is grouped into the DfE's major groups "
               "(White, Mixed, Asian, Black, Chinese, any other, unclassified).",
               "DfE school census codes and ethnicity major groups."),
    Definition("overall_absence", ATTENDANCE, "Overall absence rate",
               "Sessions missed through authorised or unauthorised absence, as a percentage of possible sessions, "
               "added up over every enrolment (a pupil who moved school counts at each).",
               "DfE, Working together to improve school attendance (2024); Pupil absence in schools in England "
               "(methodology)."),
    Definition("authorised_absence", ATTENDANCE, "Authorised absence rate",
               "Authorised absence sessions as a percentage of possible sessions.",
               "DfE, Pupil absence in schools in England (methodology)."),
    Definition("unauthorised_absence", ATTENDANCE, "Unauthorised absence rate",
               "Unauthorised absence sessions as a percentage of possible sessions.",
               "DfE, Pupil absence in schools in England (methodology)."),
    Definition("persistent_absence", ATTENDANCE, "Persistent absence",
               "Enrolments that missed 10% or more of their possible sessions in the period (exactly 10% counts), as "
               "a number and as a percentage of enrolments with possible sessions.",
               "DfE definition since 2015/16 (A guide to absence statistics)."),
    Definition("severe_absence", ATTENDANCE, "Severe absence",
               "Enrolments that missed 50% or more of their possible sessions in the period.",
               "DfE, Pupil absence in schools in England."),
    Definition("national", GENERAL, "England figures",
               "National comparator figures as the DfE published them, with their year and source; LA admins keep "
               "them up to date in the admin site. The latest published year is shown, for the same term where the "
               "DfE publishes one, so the year compared is always named. Rates that add up over a year (exclusions) "
               "are lower for one term than England's whole-year figure: set side by side they give the scale, not a "
               "like-for-like comparison.",
               "DfE statistics on explore-education-statistics.service.gov.uk, as listed at the end of this report."),
    Definition("last_year", GENERAL, "Last year",
               "The same LA term (or year) of the previous academic year, counted the same way.",
               "How this service counts."),
    Definition("population", EXCLUSIONS, "School population",
               "Pupils on the roll of the schools counted at any time in the period (each pupil once; once per "
               "phase in the by-phase table). Rates of exclusion are worked out on it, as in earlier committee papers.",
               "The exclusions appendix of earlier committee papers (\"% of school population\")."),
    Definition("suspensions", EXCLUSIONS, "Suspensions",
               "Suspensions (formerly fixed-period exclusions) starting in the period, not cancelled. Lunchtime "
               "exclusions are counted separately.",
               "DfE, Suspension and permanent exclusion guidance (2023); school census type FIXD."),
    Definition("suspension_rate", EXCLUSIONS, "Suspension rate",
               "Suspensions as a percentage of the school population (DfE: suspensions per 100 pupils).",
               "DfE, Suspensions and permanent exclusions in England."),
    Definition("pupils_suspended", EXCLUSIONS, "Pupils suspended",
               "Pupils with one or more suspensions starting in the period, and that number as a percentage of the "
               "school population (\"excluded for 1 or more days\").",
               "The exclusions appendix of earlier committee papers."),
    Definition("permanent_exclusions", EXCLUSIONS, "Permanent exclusions",
               "Permanent exclusions starting in the period, not cancelled, as a number and as a percentage of the "
               "school population.",
               "School Discipline (Pupil Exclusions and Reviews) (England) Regulations 2012; school census type PERM."),
    Definition("suspension_length", EXCLUSIONS, "Average length of a suspension",
               "School days suspended (a session is half a day) divided by the number of suspensions; and the share "
               "of suspensions of five days or less.",
               "The exclusions appendix of earlier committee papers."),
    Definition("reasons", EXCLUSIONS, "Reasons",
               "Each reason recorded (up to three per exclusion since 2020/21), counted once per exclusion citing "
               "it, and as a percentage of the exclusions of that type.",
               "DfE school census exclusion reason codes (up to three reasons since 2020/21)."),
    Definition("exclusion_groups", EXCLUSIONS, "Exclusions by SEN, sex and ethnicity",
               "Each group's share of all suspensions (or permanent exclusions), as earlier papers gave it (\"Boys "
               "accounted for 77% of permanent exclusions\"), and the group's suspension rate on its own population.",
               "The exclusions appendix of earlier committee papers."),
    Definition("exclusion_trend", EXCLUSIONS, "Trend over years",
               "For each academic year with records: exclusions (suspensions and permanent), pupils excluded, school "
               "days suspended and permanent exclusions, with rates on that year's school population.",
               "The exclusions appendix of earlier committee papers (exclusion trends)."),
    Definition("notices", LEGAL, "Penalty notices",
               "Notices issued in the period by type, and what became of them: paid at the reduced or full rate, "
               "withdrawn, unpaid (including those referred for prosecution) or still within the payment period. "
               "The payment rate is paid notices as a percentage of notices not withdrawn.",
               "The LA's register of penalty notices (Education (Penalty Notices) (England) Regulations 2007, "
               "reg 20)."),
    Definition("prosecutions", LEGAL, "Prosecutions",
               "Prosecutions with the information laid in the period, by offence (s444(1) or (1A)), status and "
               "outcome, with fines and costs ordered.",
               "Education Act 1996, s444."),
    Definition("cases_by_stage", CASEWORK, "Open cases by stage",
               "Cases allocated to an officer and being worked, by their stage on the day the figures were made "
               "(stages 1 to 4 of the staged model). Referrals still awaiting allocation are counted apart, and "
               "closed cases not at all.",
               "The LA's staged model of intervention (stages 1 to 4)."),
    Definition("cases_opened_closed", CASEWORK, "Cases opened and closed",
               "Cases opened in the period, and cases closed in it by outcome.",
               "The LA's case records."),
    Definition("caseloads", CASEWORK, "Caseload per officer",
               "Open cases allocated to each LA officer against their caseload limit (their own, or the LA's).",
               "The LA's casework policy (15 to 20 cases per officer in earlier papers)."),
    Definition("referral_time", CASEWORK, "Time from referral to allocation",
               "For referrals made in the period and accepted, calendar days from the school's referral to the "
               "case's first allocation to an officer: the average, and how many within 5 and 10 days.",
               "The LA's referral and allocation records."),
    Definition("day6", PROVISION, "Day-6 provision",
               "Exclusions starting in the period that needed full-time education from the 6th school day, and "
               "whether provision started by then (met), after it (late) or has not been recorded (none).",
               "Education Act 1996, s19(3A); Education (Provision of Full-Time Education for Excluded Pupils) "
               "(England) Regulations 2007."),
    Definition("part_time", PROVISION, "Part-time timetables",
               "Timetables running on the last day of the period, those started in it, and of those running, how "
               "many have a review overdue or were never notified to the LA.",
               "DfE, Working together to improve school attendance (2024)."),
    Definition("ap_places", PROVISION, "Alternative provision places",
               "Places commissioned at each AP provider against places used on the last day of the period (hours "
               "placed divided by 25 hours, one full-time place).",
               "The LA's commissioning records; one place is 25 hours a week."),
    Definition("fair_access", PROVISION, "Fair Access waits",
               "Children referred under the Fair Access Protocol who were still without a place on the last day of "
               "the period, by school days out of school (38+, 69+, 100+), and those placed in the "
               "period with their average school days without a place.",
               "School Admissions Code 2021, para 3.17; the Fair Access bands of earlier papers (38+, 69+, 100+ "
               "days)."),
    Definition("traded_income", TRADED, "Traded services income",
               "Net income (invoices less credit notes, before VAT) for work belonging to the LA term, by service and "
               "by school.",
               "The LA's invoices and credit notes for traded services."),
]

BY_KEY = {definition.key: definition for definition in DEFINITIONS}
SECTIONS = [GENERAL, ATTENDANCE, EXCLUSIONS, LEGAL, CASEWORK, PROVISION, TRADED]


def by_section() -> list[tuple[str, list[Definition]]]:
    return [(section, [d for d in DEFINITIONS if d.section == section]) for section in SECTIONS]
