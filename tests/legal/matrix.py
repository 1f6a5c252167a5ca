"""Legal interventions (issue 6): this area's rows of the permission matrix, merged by test_permission_matrix.py.

ROWS: URL name -> (target key or None, expected statuses per role); KWARG_NAMES: target key -> URL kwarg name;
``legal_targets``: the objects the rows point at, all on school B's side so school A must get 404.

Legal records are LA-only: school B reaches only its own request (and its evidence and outcome); every other legal
object is 404 to both schools. Writes need a capability: WORK_LEGAL (manager, officer, legal officer), PROSECUTE,
RECORD_PAYMENTS and DECIDE_PN_REQUESTS (manager, legal officer), MANAGE_LETTER_TEMPLATES (admin, legal officer).
"""

from __future__ import annotations

import datetime

import pytest
from django.core.files.base import ContentFile

from legal import services
from legal.models import LegalAlert, LetterBatch, LetterTemplate, NotifyMessage, RequestEvidence
from legal.payments.services import payment_file_import
from schools.models import Job
from tests.legal.fixtures import build_legal_world
from tests.matrix_support import AUDITORS, EDITORS, LA, statuses  # noqa: F401  (for the rows below)

D = datetime.date
SCHOOLS = ["school_a", "school_b"]
WORKERS = ["la_manager", "la_officer", "legal_officer"]  # Capability.WORK_LEGAL
LEGAL = ["la_manager", "legal_officer"]  # PROSECUTE, RECORD_PAYMENTS, DECIDE_PN_REQUESTS
TEMPLATE_EDITORS = ["la_admin", "legal_officer"]


def _only(ok, *, ok_status=200):
    from tests.matrix_support import ROLES

    return statuses(ok=ok, ok_status=ok_status, forbidden=[r for r in ROLES[:-1] if r not in ok])


def _la_object():
    return statuses(ok=LA, not_found=SCHOOLS)


def _api_la_object():
    return statuses(ok=LA, not_found=SCHOOLS, anonymous=401)


def _api_la_only(ok_status=200):
    return statuses(ok=LA, ok_status=ok_status, forbidden=SCHOOLS, anonymous=401)


ROWS: dict = {
    "legal:dashboard": (None, statuses()),
    "legal:pupil": ("pupil", statuses(ok=[*LA, "school_b"], not_found=["school_a"])),
    "legal:pathway_open": ("case", _only(WORKERS, ok_status=302)),  # case_b's pathway is open: to it
    "legal:letter_case": ("case", _only(WORKERS)),
    "legal:pathway": ("pathway", _la_object()),
    "legal:pathway_close": ("pathway", _only(WORKERS)),
    "legal:nti_add": ("pathway", _only(WORKERS)),
    "legal:notice_add": ("pathway", _only(WORKERS)),
    "legal:eso_consider": ("pathway", _only(WORKERS)),
    "legal:eso_apply": ("pathway", _only(WORKERS)),
    "legal:sao_add": ("pathway", _only(WORKERS)),
    "legal:prosecution_add": ("pathway", _only(LEGAL)),
    "legal:parenting_order_add": ("pathway", _only(LEGAL)),
    "legal:nti_outcome": ("nti", _only(WORKERS)),
    "legal:letter_nti": ("nti", _only(WORKERS)),
    "legal:notice_add_pupil": ("pupil", _only(WORKERS)),
    "legal:letter_pupil": ("pupil", _only(WORKERS)),
    "legal:notice_list": (None, statuses(ok=LA, forbidden=SCHOOLS)),
    "legal:notice_export": (None, statuses(ok=LA, forbidden=SCHOOLS)),
    "legal:notice": ("notice", _la_object()),
    "legal:notice_serve": ("notice", _only(WORKERS)),
    "legal:notice_withdraw": ("notice", _only(LEGAL)),
    "legal:notice_refer": ("notice", statuses(ok=(), others=405)),
    "legal:letter_notice": ("notice", _only(WORKERS)),
    "legal:payment_add": (None, _only(LEGAL)),
    "legal:figures": (None, statuses(ok=LA, forbidden=SCHOOLS)),
    "legal:figures_export": (None, statuses(ok=LA, forbidden=SCHOOLS)),
    "legal:request_list": (None, statuses(ok=LA, forbidden=SCHOOLS)),
    "legal:request_create": ("pupil", statuses(ok=["school_b"], forbidden=LA, not_found=["school_a"])),
    "legal:request": ("request", statuses(ok=[*LA, "school_b"], not_found=["school_a"])),
    "legal:request_decide": ("request", _only(LEGAL)),
    "legal:evidence": ("evidence", statuses(ok=[*LA, "school_b"], not_found=["school_a"])),
    "legal:contract_add": ("pupil", _only(WORKERS)),
    "legal:contract": ("contract", _la_object()),
    "legal:contract_review": ("contract", _only(WORKERS)),
    "legal:contract_end": ("contract", _only(WORKERS)),
    "legal:letter_contract": ("contract", _only(WORKERS)),
    "legal:eso_decision": ("eso", _only(WORKERS)),
    "legal:eso_extend": ("eso", _only(WORKERS)),
    "legal:sao_step": ("sao", _only(WORKERS)),
    "legal:prosecution_list": (None, statuses(ok=LA, forbidden=SCHOOLS)),
    "legal:prosecution": ("prosecution", _la_object()),
    "legal:prosecution_prepare": ("prosecution", _only(LEGAL)),
    "legal:prosecution_lay": ("prosecution", _only(LEGAL)),
    "legal:hearing_add": ("prosecution", _only(LEGAL)),
    "legal:prosecution_outcome": ("prosecution", _only(LEGAL)),
    "legal:prosecution_withdraw": ("prosecution", _only(LEGAL)),
    "legal:prosecution_pack": ("prosecution", _la_object()),
    "legal:letter_prosecution": ("prosecution", _only(WORKERS)),
    "legal:letter": ("letter", _la_object()),
    "legal:batch_new": (None, _only(WORKERS)),
    "legal:batch_selected": (None, statuses(ok=(), others=405)),  # POST only: tests/attendance/test_threshold_worklist
    # A batch is its maker's, like a job: everyone else gets 404.
    "legal:batch": ("batch", statuses(ok=["la_officer"], not_found=["la_admin", "la_manager", "legal_officer",
                                                                     *SCHOOLS])),
    "legal:batch_download": ("batch", statuses(ok=["la_officer"], not_found=["la_admin", "la_manager",
                                                                              "legal_officer", *SCHOOLS])),
    "legal:template_list": (None, _only(TEMPLATE_EDITORS)),
    "legal:template_add": (None, _only(TEMPLATE_EDITORS)),
    "legal:template_edit": ("template", _only(TEMPLATE_EDITORS)),
    "legal:alert_read": ("alert", statuses(ok=(), others=405)),
    "legal:message_failures": (None, statuses(ok=LA, forbidden=SCHOOLS)),
    "legal:message_resolve": ("failed_message", _only(WORKERS)),
    "legal:print_queue": (None, statuses(ok=LA, forbidden=SCHOOLS)),
    "legal:print_batch_posted": ("print_batch", _only(WORKERS)),
    "legal:print_batch_pdf": ("print_batch", _only(WORKERS)),
    "legal:print_message_posted": ("print_message", _only(WORKERS)),
    # Notify's callback: POST only, authenticated by its bearer token rather than a session (tests/legal/test_notify).
    "legal:notify_callback": (None, statuses(ok=(), others=405, anonymous=405)),
    "api-pn-request-list": (None, statuses(anonymous=401)),
    "api-pn-request-detail": ("request", statuses(ok=[*LA, "school_b"], not_found=["school_a"], anonymous=401)),
    "api-pn-request-decide": ("request", statuses(ok=(), others=405, anonymous=401)),
    "api-penalty-notice-list": (None, statuses(anonymous=401)),
    "api-penalty-notice-detail": ("notice", _api_la_object()),
    "api-pn-payment-list": (None, statuses(anonymous=401)),
    "api-pn-payment-detail": ("payment", _api_la_object()),
    "api-legal-pathway-list": (None, statuses(anonymous=401)),
    "api-legal-pathway-detail": ("pathway", _api_la_object()),
    "api-legal-contract-list": (None, statuses(anonymous=401)),
    "api-legal-contract-detail": ("contract", _api_la_object()),
    "api-prosecution-list": (None, statuses(anonymous=401)),
    "api-prosecution-detail": ("prosecution", _api_la_object()),
    "api-legal-figures": (None, statuses(ok=LA, forbidden=SCHOOLS, anonymous=401)),
    # Issue 21: the DfE parental responsibility measures return, payment files and the payment queue.
    "legal:return": (None, statuses(ok=LA, forbidden=SCHOOLS)),
    "legal:return_export": (None, statuses(ok=LA, forbidden=SCHOOLS)),
    "legal:return_rows": ("return_field", statuses(ok=LA, forbidden=SCHOOLS)),
    "legal:payment_files": (None, statuses(ok=LA, forbidden=SCHOOLS)),
    "legal:payment_file_upload": (None, _only(LEGAL)),
    "legal:payment_file": ("payment_file", statuses(ok=LA, forbidden=SCHOOLS)),
    "legal:payment_queue": (None, statuses(ok=LA, forbidden=SCHOOLS)),
    "legal:payment_line": ("payment_line", statuses(ok=LA, forbidden=SCHOOLS)),
    "legal:payment_line_match": ("payment_line", _only(LEGAL)),
    "legal:payment_line_reject": ("payment_line", _only(LEGAL)),
    # Their API (legal/payments/api.py, legal/returns/api.py): LA staff read, school users get 403 as on the pages;
    # the decisions are POST only (a GET from LA staff is 405; who may decide: tests/legal/test_payments_api.py).
    "api-payment-file-list": (None, _api_la_only()),
    "api-payment-file-detail": ("payment_file", _api_la_only()),
    "api-payment-file-lines": ("payment_file", _api_la_only()),
    "api-payment-line-list": (None, _api_la_only()),
    "api-payment-line-detail": ("payment_line", _api_la_only()),
    "api-payment-line-accept": ("payment_line", _api_la_only(405)),
    "api-payment-line-match": ("payment_line", _api_la_only(405)),
    "api-payment-line-reject": ("payment_line", _api_la_only(405)),
    "api-pr-return-list": (None, _api_la_only()),
    "api-pr-return-rows": ("return_field", _api_la_only()),
}
KWARG_NAMES: dict = dict.fromkeys(["pathway", "nti", "notice", "request", "evidence", "contract", "eso", "sao",
                                   "prosecution", "letter", "batch", "template", "alert", "payment",
                                   "failed_message", "print_batch", "print_message", "payment_file",
                                   "payment_line"], "pk")
KWARG_NAMES["return_field"] = "name"


@pytest.fixture
def legal_targets(world, cases_world) -> dict:
    lw = build_legal_world(world, cases_world)
    officer, legal = world.users["la_officer"], world.users["legal_officer"]
    nti = services.nti_issue(user=officer, pathway=lw.pathway, carer=lw.parent, issued_on=D(2026, 11, 2),
                             expectations="Attend every session.")
    eso = services.eso_apply(user=officer, pathway=lw.pathway, applied_on=D(2026, 11, 16), court="Brighton FC")
    sao = services.sao_notice(user=officer, pathway=lw.pathway, carer=lw.parent, notice_served_on=D(2026, 11, 2),
                              notice_period_days=15)
    letter = services.letter_send(user=officer, template=LetterTemplate.objects.get(kind="penalty_notice"),
                                  pupil=world.pupil_b, carer=lw.parent, notice=lw.notice, case=lw.pathway.case)
    paid = services.notice_issue(user=officer, pupil=world.pupil_b, carer=lw.parent, notice_type="term_time_leave",
                                 period_start=D(2026, 11, 9), period_end=D(2026, 11, 13), issued_on=D(2026, 11, 16),
                                 served_on=D(2026, 11, 16), service_method="hand")
    payment = services.payment_record(user=legal, reference=paid.reference, amount="160.00",
                                      paid_on=D(2026, 11, 18), method="bank")
    evidence = RequestEvidence(request=lw.request, original_name="register.pdf", content_type="application/pdf",
                               size=9, uploaded_by=world.users["school_b"])
    evidence.file.save("register.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    job = Job.objects.create(kind="legal_letters", created_by=officer, status=Job.Status.SUCCEEDED)
    job.result_file.save("letters.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    batch = LetterBatch.objects.create(job=job, template=LetterTemplate.objects.get(kind="warning_letter"),
                                       created_by=officer, description="Warning letters")
    alert = LegalAlert.objects.create(user=legal, pupil=world.pupil_b, message="Test alert")
    # The letter above went to the print queue (no Notify here); one batch letter waits too, and one failed.
    queued = NotifyMessage.objects.get(letter=letter)
    batch_letter = services.letter_send(user=officer, template=LetterTemplate.objects.get(kind="penalty_notice"),
                                        pupil=world.pupil_b, carer=lw.parent, notice=lw.notice, batch=batch)
    assert NotifyMessage.objects.filter(letter=batch_letter, batch=batch, status="print-queue").exists()
    extra = NotifyMessage.objects.create(channel="letter", route="notify", pupil=world.pupil_b, carer=lw.parent,
                                         letter=letter, status="returned-letter", recipient="Pat Parent",
                                         created_by=officer)
    return {"pathway": lw.pathway.pk, "nti": nti.pk, "notice": lw.notice.pk, "request": lw.request.pk,
            "evidence": evidence.pk, "contract": lw.contract.pk, "eso": eso.pk, "sao": sao.pk,
            "prosecution": lw.prosecution.pk, "letter": letter.pk, "batch": batch.pk,
            "template": LetterTemplate.objects.first().pk, "alert": alert.pk, "payment": payment.pk,
            "failed_message": extra.pk, "print_batch": batch.pk, "print_message": queued.pk,
            **_payment_targets(legal)}


def _payment_targets(user) -> dict:
    """A payments file with one line held in the queue (its reference names no notice)."""
    batch = payment_file_import(user=user, name="income.csv", method="card",
                                data=b"date,amount,reference,payer\n2026-11-20,80.00,PN-999999,Pat Parent\n")
    return {"payment_file": batch.pk, "payment_line": batch.lines.get().pk, "return_field": "pn_issued"}
