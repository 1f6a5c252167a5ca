"""The register upload form: refuses at the field files that are plainly not registers, before anything is stored."""

from __future__ import annotations

from crispy_forms_gds.choices import Choice
from django import forms
from django.conf import settings

from schools.common.forms import GdsFormMixin
from schools.models import AttendanceImport

# Register uploads are text (CSV or XML). Files people pick by mistake, known by their first bytes, are refused at the
# form saying what they are, before anything is stored or queued; the importer would refuse them anyway, later and less
# clearly. Signatures: Microsoft PE ("MZ"), ELF, ZIP (which .xlsx and .docx are), OLE2 (.xls, .doc), PDF.
_SNIFF_BYTES = 8192


_NOT_A_REGISTER = {
    b"MZ": "a Windows program",
    b"\x7fELF": "a program",
    b"PK\x03\x04": "a zip file or an Excel workbook (.xlsx)",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "an old-style Excel or Word file (.xls or .doc)",
    b"%PDF-": "a PDF",
}


# UTF-16 text has NUL bytes; the reader itself tells the school to save it as UTF-8 instead.
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class ImportForm(GdsFormMixin, forms.Form):
    submit_label = "Upload and import"
    file = forms.FileField(label="Register file")
    # Worked out from the file (a CTF is XML, anything else is read as CSV), so the page does not ask; the API may
    # still say which it sends.
    kind = forms.ChoiceField(label="What kind of file is it?", choices=AttendanceImport.Kind.choices, required=False,
                             widget=forms.HiddenInput)
    bad_rows = forms.ChoiceField(
        label="If some rows have problems",
        error_messages={"required": "Choose what to do if some rows have problems"},
        choices=[
            Choice(AttendanceImport.BadRows.KEEP_GOOD, AttendanceImport.BadRows.KEEP_GOOD.label,
                   hint="Every good row is imported now; each bad row is left out and listed in the error report, "
                        "so you can fix and upload just those. In a CTF, a pupil the authority cannot match with "
                        "certainty is held for the LA to review, with their marks, instead of being rejected."),
            Choice(AttendanceImport.BadRows.REJECT_FILE, AttendanceImport.BadRows.REJECT_FILE.label,
                   hint="The whole file is refused if any row has a problem (including a CTF pupil the authority "
                        "cannot match), and nothing is saved; the error report lists every problem so you can fix "
                        "the file and upload it again."),
        ],
        widget=forms.RadioSelect, initial=AttendanceImport.BadRows.KEEP_GOOD)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The limit is a setting, so the hint reads it rather than repeating a number that can drift.
        self.fields["file"].help_text = (f"A CSV of session marks or a CTF (XML), up to "
                                         f"{settings.ATTENDANCE_UPLOAD_MAX_MB:,} MB.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit_mb = settings.ATTENDANCE_UPLOAD_MAX_MB
        if upload.size > limit_mb * 1024 * 1024:
            raise forms.ValidationError(f"The file is {upload.size / 1024 / 1024:,.0f} MB; the limit is "
                                        f"{limit_mb:,} MB. Split it by school or by term.")
        name = upload.name.lower()
        if not name.endswith((".csv", ".xml", ".txt")):
            raise forms.ValidationError("The file must be a .csv (session marks) or .xml (CTF) file.")
        upload.seek(0)
        head = upload.read(_SNIFF_BYTES)
        upload.seek(0)
        for signature, what in _NOT_A_REGISTER.items():
            if head.startswith(signature):
                raise forms.ValidationError(f"{upload.name} is {what}, not a CSV or CTF file, whatever its name says. "
                                            f"Save the register as 'CSV UTF-8' or export the CTF again.")
        if b"\x00" in head and not head.startswith(_UTF16_BOMS):
            raise forms.ValidationError(f"{upload.name} is not a text file (it contains NUL bytes), so it is not a CSV "
                                        f"or CTF file. Save the register as 'CSV UTF-8' or export the CTF again.")
        self.sniffed_kind = file_kind(upload.name, head)
        return upload

    def clean(self):
        data = super().clean()
        if not data.get("kind") and getattr(self, "sniffed_kind", None):
            data["kind"] = self.sniffed_kind
        return data


def file_kind(name: str, head: bytes) -> str:
    """CTF when the file is XML (it opens with "<" after any byte-order mark and spaces) or is named .xml; else CSV."""
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"<") or name.lower().endswith(".xml"):
        return AttendanceImport.Kind.CTF
    return AttendanceImport.Kind.CSV
