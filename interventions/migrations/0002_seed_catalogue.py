"""Seed the intervention catalogue: the East Sussex SBAS menu (seed 000, June 2011, Appendix 4) and the staged lists
of Coventry's attendance model (seed 001, October 2023) and strategy (seed 003, 2012-14).

The rows are data, not code: LA admins change, deactivate or add entries in the admin site afterwards. Re-running the
migration never overwrites an admin's edits (rows are created only when no entry has the name).
"""

from django.db import migrations

MENU = "Seed 000: East Sussex SBAS menu of interventions (2011)"
STAGED_2023 = "Seed 001: Coventry staged intervention model (2023)"
STRATEGY_2012 = "Seed 003: Coventry attendance strategy, levels of need (2012-14)"

P, E, T, L = "1_prevention", "2_early_intervention", "3_targeted_support", "4_legal"
ST, PAYU = "statutory", "payu"
BA_OFFICER = "Behaviour and Attendance Officer"
BA_ADVISER = "Behaviour and Attendance Adviser"
LEGAL = "Legal and Interventions Officer"

# (name, strand, section, details, intended outcomes, staff role, likely duration, funding, stage, source)
CATALOGUE = [
    # --- Seed 000: behaviour support -------------------------------------------------------------------------------
    ("KS2 to KS3 transition", "behaviour", "strategic",
     "Liaison between families and schools. Identification and monitoring of pupils who may need additional "
     "support during terms 1 and 2 of KS3.",
     "Students are more confident in making the transition between schools, and schools are advised on appropriate "
     "support programmes where necessary.", BA_OFFICER, "1 day", ST, P, MENU),
    ("Coaching and reflective practice for staff", "behaviour", "capacity_building",
     "For staff working with children displaying considerable behavioural challenge. Agreed class observations "
     "followed by meetings with key staff (individuals or small group). Reflective conversations with staff, "
     "suggestions why behaviour is problematic and how to effect a change.",
     "Written report. Ongoing informed advice and suggested strategies provided to meet the student's needs.",
     f"{BA_ADVISER} or Officer", "2 days", ST, P, MENU),
    ("Emotional literacy assessment", "behaviour", "capacity_building",
     "Programme of assessment using emotional literacy tools for pupil, teacher and parent (recognising, "
     "articulating and managing emotions, social skills and motivation). Strengths and weaknesses identified and "
     "appropriate support planned.",
     "Written report. Levels of emotional literacy identified, with informed advice and suggested strategies.",
     BA_ADVISER, "1 day", ST, E, MENU),
    ("Supporting schools with CAF assessment and reviews", "behaviour", "capacity_building",
     "Supporting school staff in the completion of the CAF. The programme involves completing a CAF with a student "
     "and family.", "Staff confident in undertaking CAFs with families.", BA_ADVISER, "Half day", ST, E, MENU),
    ("Support schools with behavioural risk assessments", "behaviour", "capacity_building",
     "Support to an individual or group of staff, working through the risk assessment process with an identified "
     "pupil in mind; promoting robust evidence to plan appropriate action.",
     "Staff confident in undertaking risk assessments with students.", f"{BA_ADVISER} or {BA_OFFICER}",
     "Half day", ST, E, MENU),
    ("Observation and assessment of an individual student", "behaviour", "children_and_parents",
     "Agreed class observations and consultation with teachers and other key adults, for advice on teaching "
     "strategies appropriate to the student's needs. Report with suggested strategies for teaching staff.",
     "Written report. Informed advice and suggested strategies provided to meet the student's needs.",
     BA_ADVISER, "Half day", ST, E, MENU),
    ("Helping students manage and control their anger or behaviour", "behaviour", "children_and_parents",
     "Agreed class observations and discussion with teachers and possibly carers. Programme of 1:1 work with the "
     "student, with a report and suggested strategies for teaching staff.",
     "Written report. The student has a range of strategies to control their anger and copes more appropriately in "
     "stressful situations with adults and children.", f"{BA_ADVISER} or {BA_OFFICER}", "5 days", ST, T, MENU),
    ("Reintegration support after permanent exclusion or a managed transfer", "behaviour", "children_and_parents",
     "Liaison with parents; CAF and risk assessment completed as appropriate. A reintegration plan formulated with "
     "school staff and in-school student support as required.",
     "Written reintegration plan on transfer. Students transfer to mainstream schools successfully. Written report "
     "on closure.", BA_OFFICER, "5 days (no cost to schools)", ST, T, MENU),
    ("CAF or risk assessment for a vulnerable pupil", "behaviour", "children_and_parents",
     "Home and/or school visit for assessment.", "CAF or risk assessment completed with an action plan.",
     BA_OFFICER, "Half day", ST, E, MENU),
    ("Coping strategies for students in the classroom", "behaviour", "children_and_parents",
     "Agreed class observations and discussion with teachers and possibly carers. Programme of 1:1 solution-focused "
     "work with the student, with a report and strategies.",
     "Increased mainstream classroom inclusion and improved student behaviour.", BA_OFFICER, "2 days", ST, E, MENU),
    ("Restorative mediation for school staff", "behaviour", "children_and_parents",
     "Working with groups of up to 10, staff are supported in developing and delivering restorative mediation.",
     "School staff confident in using restorative mediation techniques.",
     f"Deputy Head of SBAS and {BA_OFFICER}", "1 day", ST, P, MENU),
    ("Programme of emotional literacy support", "behaviour", "children_and_parents",
     "Work on social skills, motivation, self-awareness, self-regulation or empathy: 1:1 work with the student, "
     "observation in structured sessions, group work, advising and coaching staff; follow-up reflective practice, "
     "monitoring and evaluation.",
     "Students gain an accurate assessment of their own emotions, strengths and weaknesses and understand how these "
     "affect their learning and behaviour.", BA_ADVISER, "2 days", ST, T, MENU),
    ("Social skills group work", "behaviour", "children_and_parents",
     "A student group with school staff focusing on relationships and self-esteem.",
     "Students have increased confidence and improved relationships with peers and adults.",
     f"{BA_ADVISER} or {BA_OFFICER}", "2 days", ST, E, MENU),
    ("Parenting programmes", "behaviour", "children_and_parents",
     "Parenting sessions for parents of primary or secondary pupils by a specialist officer: 1:1 weekly over six "
     "weeks, or a small community group.",
     "The pupil's behaviour and attendance improve; the parent has the confidence to support their child and has "
     "gained positive parenting skills.", f"{BA_OFFICER} (extended support)", "2 to 3 days", ST, T, MENU),
    ("Exclusion from school workshop", "behaviour", "exclusion",
     "Workshop for headteachers and senior managers on the legal framework and procedures in suspension and "
     "permanent exclusion.",
     "Schools informed and updated on current statutory and local procedures; good practice shared.",
     "Behaviour and Attendance Interventions Co-ordinator", "Half day", PAYU, P, MENU),
    # --- Seed 000: attendance support ------------------------------------------------------------------------------
    ("Multi-agency representation (e.g. MARAC, Prevent and Deter)", "attendance", "strategic",
     "Representation on behalf of the service, schools and pupils on attendance, attainment, punctuality and child "
     "protection issues which affect pupil welfare.",
     "Appropriate support and resources to improve attendance and punctuality; pre-CAF assessments undertaken.",
     BA_OFFICER, "Half day", ST, T, MENU),
    ("Register audit", "attendance", "strategic",
     "An audit of registers with advice and guidance to the school.",
     "The school meets its statutory responsibility under the pupil registration regulations.",
     BA_OFFICER, "Half day", PAYU, P, MENU),
    ("Data analysis and strategy development", "attendance", "strategic",
     "Focused consultation with senior attendance leaders on the effective use of data to decide strategies and "
     "resources.", "Written report and action plans.", f"Team Leader and {BA_OFFICER}", "Half day", PAYU, P, MENU),
    ("Parents' evening attendance stand", "attendance", "strategic",
     "An information stand on attendance and punctuality at a parents' evening with two members of the team, and a "
     "private drop-in session if parents want to discuss concerns.",
     "Parents engage informally with an officer and better understand the importance of regular attendance.",
     BA_OFFICER, "Half day", PAYU, P, MENU),
    ("Get a Life attendance initiative", "attendance", "strategic",
     "Tailor-made packages on attendance and punctuality: transition work, assemblies, attendance panels, drop-in "
     "sessions, truancy sweeps, mentoring and lessons, mascots and other resources.",
     "The profile of attendance and punctuality is raised and attendance improves.", BA_OFFICER, "Up to 3 days",
     PAYU, P, MENU),
    ("Specialist assembly on attendance", "attendance", "strategic",
     "An assembly on the links between attendance and attainment and the effect on future opportunities.",
     "Raised awareness of the importance of attendance and punctuality.", BA_OFFICER, "Half day", PAYU, P, MENU),
    ("Staff training on attendance", "attendance", "capacity_building",
     "Whole or half-day INSET or twilight training on the pupil registration regulations and the law on attendance.",
     "Staff understand attendance and the legal implications of non-attendance.", BA_OFFICER, "Half day", PAYU, P,
     MENU),
    ("MIS assistance for attendance data", "attendance", "capacity_building",
     "Support for the staff who record and monitor attendance data, making the best use of the school's MIS to "
     "analyse attendance and spot issues promptly.",
     "Staff are confident using data to highlight concerns, with letters (red, amber, green and tracking), "
     "registration coding and reporting.", BA_OFFICER, "Half day", PAYU, P, MENU),
    ("Data consultation", "attendance", "capacity_building", "Initial consultation on attendance data.",
     "Data report provided.", BA_OFFICER, "Half day", PAYU, P, MENU),
    ("Peer mentor training", "attendance", "capacity_building",
     "Training pupils to mentor younger children with attendance and punctuality issues.",
     "Peers trained to model and mentor pupils with low attendance.", BA_OFFICER, "1 day", PAYU, P, MENU),
    ("Attendance intervention", "attendance", "children_and_parents",
     "A bespoke intervention package based on an assessment of need with the parent and/or child.",
     "Improved attendance for identified children and greater parental awareness of the importance of regular "
     "attendance.", BA_OFFICER, "2 days", ST, T, MENU),
    ("Specialist attendance assessment", "attendance", "children_and_parents",
     "A home visit to assess need where parents are hard to reach: reasons for poor attendance or behaviour "
     "established and a support plan suggested.",
     "Written assessment of key areas of need, with areas of support, SMART targets and referrals to other agencies "
     "where appropriate.", f"{BA_OFFICER} or Team Leader", "Half day", ST, T, MENU),
    ("Attendance panel", "attendance", "children_and_parents",
     "A meeting in school with parents and pupil where attendance is a significant concern, chaired by an officer.",
     "A parenting contract and targets are set.", f"{BA_OFFICER} or Team Leader",
     "Half day per panel for up to 3 cases", PAYU, T, MENU),
    # --- Seed 000: parental responsibility and legal intervention --------------------------------------------------
    ("Education supervision order", "legal", "legal",
     "A structured legal framework for agreements between school, parent, young person and officer.",
     "Intensive initial work with the young person and family, reducing dependency as attendance improves.",
     f"{LEGAL} and {BA_OFFICER} (extended support)", "As required", ST, L, MENU),
    ("Caution", "legal", "legal",
     "A formal legal intervention without prosecution or a criminal conviction.",
     "A formal warning where there has been little co-operation, to increase attendance and engagement.",
     f"{LEGAL} and Interventions Co-ordinator", "Half day", ST, L, MENU),
    ("Penalty notice (non-attendance)", "legal", "legal",
     "A financial penalty for lack of co-operation following a formal letter.",
     "Improved attendance over a short period.", f"{LEGAL} and Legal Administrator", "", ST, L, MENU),
    ("Penalty notice (term-time holiday)", "legal", "legal",
     "A financial penalty for taking a holiday in term time after a formal refusal.",
     "No further unauthorised holidays, avoiding their effect on attendance.", f"{LEGAL} and Legal Administrator",
     "", ST, L, MENU),
    ("Penalty notice (excluded pupil in a public place)", "legal", "legal",
     "A financial penalty after an excluded young person is found in a public place during the school day.",
     "Safeguarding, and improved attendance.", f"{LEGAL} and Legal Administrator", "", ST, L, MENU),
    ("Prosecution", "legal", "legal",
     "A summons under section 444(1) or 444(1A) of the Education Act 1996 for failure to secure regular attendance.",
     "Used where non-legal interventions have failed and the parent, though capable, is not accepting "
     "responsibility.", f"{LEGAL} and Legal Administrator", "3 days", ST, L, MENU),
    ("Parental engagement and responsibility workshop", "legal", "legal",
     "Offered in place of prosecution where parenting issues are affecting behaviour or attendance.",
     "Parents understand the consequences of truancy and take more responsibility.",
     f"{LEGAL} and {BA_OFFICER} (extended support)", "Half day", ST, L, MENU),
    ("Parenting order following exclusion (civil order)", "legal", "legal",
     "An assessment, evidence and an application to court, for a pupil permanently excluded or with escalating "
     "suspensions.",
     "Parents unwilling or unable to engage voluntarily attend a counselling or guidance programme relevant to "
     "agreed parenting targets.", f"{LEGAL} and {BA_OFFICER} (extended support)", "3 days", ST, L, MENU),
    # --- Seeds 001 and 003: the staged lists -----------------------------------------------------------------------
    ("First-day absence contact", "attendance", "school_action",
     "The school contacts the family on the first day of any unexplained absence, following its attendance policy.",
     "Absence is explained or challenged from the first day.", "School", "Ongoing", ST, P, STAGED_2023),
    ("Letter when attendance falls below the school's target", "attendance", "school_action",
     "A letter home once attendance drops below the school's target, reminding parents of their responsibilities "
     "and the support available.", "Parents are aware early and attendance recovers.", "School", "", ST, P,
     STAGED_2023),
    ("Meeting with parents or carers in school", "attendance", "school_action",
     "The school invites the parents or carers in to discuss and share concerns, and agrees targets.",
     "Barriers to attendance understood; targets agreed with the family.", "School attendance lead", "", ST, P,
     STAGED_2023),
    ("Home visit", "attendance", "school_action",
     "A visit to the family home to share concerns and, on a temporary basis, help the child into school.",
     "Concerns shared face to face; a clear target for improved attendance, monitored weekly.",
     "School, with the LA attendance officer where agreed", "", ST, E, STRATEGY_2012),
    ("Pastoral support", "attendance", "school_action",
     "Pastoral support in school for the pupil.", "The pupil feels supported to attend.", "School", "", ST, E,
     STAGED_2023),
    ("Mentoring or counselling", "attendance", "school_action",
     "Mentoring or counselling for the pupil, in school or through a partner service.",
     "Underlying worries addressed.", "School or partner service", "", ST, E, STAGED_2023),
    ("Temporary part-time timetable", "attendance", "school_action",
     "A temporary reduced timetable in the pupil's interests, notified to the LA with its start and end dates.",
     "A planned return to full-time education by the end date.", "School", "Time-limited", ST, E, STAGED_2023),
    ("Referral to the school nurse", "attendance", "school_action",
     "A referral to explore persistent or erratic illness.", "Health needs identified and supported.", "School",
     "", ST, E, STRATEGY_2012),
    ("Early Help assessment and plan", "family", "multi_agency",
     "The school initiates an Early Help assessment, with support from an Early Help coordinator, and delivers the "
     "Early Help plan.", "The family's needs are understood and a plan agreed with them.",
     "School with the Early Help coordinator", "", ST, E, STAGED_2023),
    ("Team Around the Family (TAF) meetings", "family", "multi_agency",
     "Regular meetings of the professionals and the family to agree and review the family support plan.",
     "A whole-family plan with clear targets and reviews.", "Early Help coordinator or Supporting Families team",
     "", ST, E, STAGED_2023),
    ("Monitoring letter from the LA", "attendance", "multi_agency",
     "At the school's request, the LA writes to the parents that attendance will be monitored; a penalty notice "
     "may follow the monitoring period if it does not improve.", "Attendance improves during the monitoring period.",
     "LA attendance officer", "Monitoring period", ST, E, STAGED_2023),
    ("Extended School Non-Attendance Advisory Panel (ESNAAP)", "attendance", "multi_agency",
     "A referral to the panel for pupils whose non-attendance is linked to anxiety or other emotional needs.",
     "Specialist advice on an appropriate plan.", "School", "", ST, E, STAGED_2023),
    ("Practical support with routines and boundaries", "family", "multi_agency",
     "Practical support in the home with morning routines and boundaries (complex level 2/3, sibling groups and "
     "cross-school families).", "Children ready for school on time.", "Family support worker", "", ST, T,
     STRATEGY_2012),
    ("Advice on housing and benefits", "family", "multi_agency",
     "Advice and referrals on housing and benefits where these are barriers to attendance.",
     "Practical barriers reduced.", "Family support worker", "", ST, T, STRATEGY_2012),
    ("Parenting contract", "attendance", "children_and_parents",
     "A contract with the parents, with support and sanctions, replacing the existing plan where attendance has not "
     "improved at the first review.", "Parents meet the agreed targets with support.",
     "LA attendance officer with the school", "", ST, T, STRATEGY_2012),
    ("Task-centred work and motivational interviewing", "family", "children_and_parents",
     "Focused, time-limited work with the family using task-centred and motivational interviewing methods.",
     "The family commits to and achieves agreed changes.", "LA attendance officer or family key worker", "", ST, T,
     STRATEGY_2012),
    ("Intensive practical support", "family", "children_and_parents",
     "Intensive, hands-on practical support for the family at level 3.", "Attendance improves and is sustained.",
     "Family key worker", "", ST, T, STRATEGY_2012),
    ("One-to-one parenting support", "family", "children_and_parents",
     "Individual parenting support for the parents or carers.", "Parents have the skills and confidence to get "
     "their children to school.", "Family key worker", "", ST, T, STRATEGY_2012),
    ("Direct work with children", "family", "children_and_parents",
     "Direct work with the child, including the three houses approach, to hear their views and worries.",
     "The child's voice informs the plan.", "LA attendance officer or family key worker", "", ST, T, STRATEGY_2012),
    ("Lower-level substance misuse and domestic abuse work", "family", "multi_agency",
     "Work with the family on lower-level substance misuse and domestic abuse affecting attendance.",
     "Risks reduced and the right services involved.", "Family key worker with specialist services", "", ST, T,
     STRATEGY_2012),
    ("School attendance order", "legal", "legal",
     "An order to register a child at a school, used only where a pupil is not on a school roll.",
     "The child is registered at and attends a school.", "LA attendance officer with legal services", "", ST, L,
     STAGED_2023),
    ("Referral to children's social care", "family", "multi_agency",
     "A referral for formal safeguarding processes where there are safeguarding concerns.",
     "The child is safeguarded.", "LA attendance officer", "", ST, L, STRATEGY_2012),
]


def seed(apps, schema_editor):
    Intervention = apps.get_model("interventions", "Intervention")
    existing = set(Intervention.objects.values_list("name", flat=True))
    rows = []
    for order, (name, strand, section, details, outcomes, role, duration, funding, stage, source) in enumerate(
            CATALOGUE, start=1):
        if name in existing:
            continue
        rows.append(Intervention(
            name=name, strand=strand, section=section, details=details, intended_outcomes=outcomes, staff_role=role,
            likely_duration=duration, funding=funding, stage=stage, source=source, sort_order=order * 10))
    Intervention.objects.bulk_create(rows)


def unseed(apps, schema_editor):
    Intervention = apps.get_model("interventions", "Intervention")
    Intervention.objects.filter(name__in=[row[0] for row in CATALOGUE], plans__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("interventions", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
