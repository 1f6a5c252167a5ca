"""Attachment checks: size, extension, content sniffed from the bytes (a renamed file is refused), and nothing active
inside: scripts or files in a PDF, an HTML page riding in one, a Word zip bomb or macros; photos are kept as decoded
and saved again, so nothing hidden in them survives."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter
from pypdf.actions import JavaScript

from cases.uploads import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, clean_upload, clean_uploads
from tests.pdf_support import minimal_pdf

PDF = minimal_pdf()


def picture(kind: str, *, comment: bytes = b"") -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (40, 30), (200, 100, 50))
    if kind == "PNG":
        from PIL.PngImagePlugin import PngInfo

        info = PngInfo()
        if comment:
            info.add_text("Comment", comment.decode())
        image.save(out, "PNG", pnginfo=info)
    else:
        image.save(out, "JPEG", comment=comment)
    return out.getvalue()


PNG, JPEG = picture("PNG"), picture("JPEG")


def docx_bytes(*, with_document=True, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        if with_document:
            archive.writestr("word/document.xml", "<w:document/>")
        else:
            archive.writestr("xl/workbook.xml", "<workbook/>")
        for name, body in (extra or {}).items():
            archive.writestr(name, body)
    return buffer.getvalue()


def pdf_with(change) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


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
    assert clean_upload(upload(name, body))[1] == content_type


@pytest.mark.parametrize("name, body, message", [
    ("virus.exe", b"MZ\x90\x00", "is not an allowed type"),
    ("page.html", b"<html><script>alert(1)</script>", "is not an allowed type"),
    ("letter.pdf", b"MZ\x90\x00 renamed program", "does not contain what its name says"),
    ("photo.png", JPEG, "does not contain what its name says"),
    ("sheet.docx", docx_bytes(with_document=False), "does not contain what its name says"),
    ("broken.docx", b"PK\x03\x04 not a zip", "does not contain what its name says"),
    ("binary.txt", b"text\x00with a NUL", "does not contain what its name says"),
    ("empty.pdf", b"", "is empty"),
    ("truncated.pdf", b"%PDF-1.7\n%%EOF\n", "not a PDF that can be read"),
    ("script.pdf", pdf_with(lambda w: w.add_open_action(JavaScript("app.alert('hi');"))), "active content"),
    ("carrier.pdf", pdf_with(lambda w: w.add_attachment("payload.exe", b"MZ\x90\x00")), "active content"),
    ("polyglot.pdf", PDF + b"\n%<html><body><script>fetch('/api/pupils/')</script></body></html>\n",
     "web page (HTML)"),
    ("macro.docx", docx_bytes(extra={"word/vbaProject.bin": b"\x00" * 64}), "macros"),
    ("page.txt", b"Dear school\n<script>alert(document.cookie)</script>", "web page (HTML)"),
    ("fake.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64, "not a picture that can be read"),
])
def test_wrong_or_active_files_are_refused_with_the_file_named(name, body, message):
    with pytest.raises(ValidationError) as error:
        clean_upload(upload(name, body))
    text = error.value.message_dict["attachments"][0]
    assert name in text and message in text


def test_a_word_zip_bomb_is_refused():
    """Half a megabyte that would unzip to 60 MB (over the 50 MB a real document needs, at a ratio no document has)."""
    bomb = docx_bytes(extra={"word/media/filler.bin.xml": b"\x00" * (60 * 1024 * 1024)})
    assert len(bomb) < 1024 * 1024
    with pytest.raises(ValidationError, match="unpacks to more than|compressed beyond"):
        clean_upload(upload("bomb.docx", bomb))


@pytest.mark.parametrize("kind, name", [("JPEG", "photo.jpg"), ("PNG", "scan.png")])
def test_a_photo_is_kept_as_decoded_and_saved_again(kind, name):
    secret = b"HIDDEN-PAYLOAD-" + b"A" * 40
    original = picture(kind, comment=secret)
    assert secret in original
    kept, content_type = clean_upload(upload(name, original))
    data = kept.read()
    assert secret not in data and Image.open(io.BytesIO(data)).size == (40, 30)


def test_oversized_file_is_refused():
    big = upload("big.pdf", PDF + b"0" * MAX_ATTACHMENT_BYTES)
    with pytest.raises(ValidationError) as error:
        clean_upload(big)
    assert "10.0\xa0MB or smaller" in error.value.message_dict["attachments"][0]


def test_too_many_files_at_once():
    with pytest.raises(ValidationError, match=f"at most {MAX_ATTACHMENTS} files"):
        clean_uploads([upload(f"{n}.pdf", PDF) for n in range(MAX_ATTACHMENTS + 1)])
