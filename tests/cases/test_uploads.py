"""Attachment checks: size, extension, and content sniffed from the bytes (a renamed file is refused)."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.uploads import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, check_upload, check_uploads

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
PDF = b"%PDF-1.7\n%%EOF\n"


def docx_bytes(*, with_document=True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        if with_document:
            archive.writestr("word/document.xml", "<w:document/>")
        else:
            archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def upload(name, body):
    return SimpleUploadedFile(name, body)


@pytest.mark.parametrize("name, body, content_type", [
    ("letter.pdf", PDF, "application/pdf"),
    ("photo.JPG", JPEG, "image/jpeg"),
    ("photo.jpeg", JPEG, "image/jpeg"),
    ("scan.png", PNG, "image/png"),
    ("notes.txt", "Visited at 9am; no answer. Café closed.".encode(), "text/plain"),
    ("plan.docx", docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
])
def test_allowed_files_pass(name, body, content_type):
    assert check_upload(upload(name, body)) == content_type


@pytest.mark.parametrize("name, body, message", [
    ("virus.exe", b"MZ\x90\x00", "is not an allowed type"),
    ("page.html", b"<html><script>alert(1)</script>", "is not an allowed type"),
    ("letter.pdf", b"MZ\x90\x00 renamed program", "does not contain what its name says"),
    ("photo.png", JPEG, "does not contain what its name says"),
    ("sheet.docx", docx_bytes(with_document=False), "does not contain what its name says"),
    ("broken.docx", b"PK\x03\x04 not a zip", "does not contain what its name says"),
    ("binary.txt", b"text\x00with a NUL", "does not contain what its name says"),
    ("empty.pdf", b"", "is empty"),
])
def test_wrong_type_is_refused_with_the_file_named(name, body, message):
    with pytest.raises(ValidationError) as error:
        check_upload(upload(name, body))
    text = error.value.message_dict["attachments"][0]
    assert name in text and message in text


def test_oversized_file_is_refused():
    big = upload("big.pdf", PDF + b"0" * MAX_ATTACHMENT_BYTES)
    with pytest.raises(ValidationError) as error:
        check_upload(big)
    assert "10.0\xa0MB or smaller" in error.value.message_dict["attachments"][0]


def test_too_many_files_at_once():
    with pytest.raises(ValidationError, match=f"at most {MAX_ATTACHMENTS} files"):
        check_uploads([upload(f"{n}.pdf", PDF) for n in range(MAX_ATTACHMENTS + 1)])
