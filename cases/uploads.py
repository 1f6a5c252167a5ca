"""Checks on uploaded attachments: size, extension, and that the content really is that type (magic bytes), so a
renamed executable or HTML page cannot be stored as "letter.pdf"."""

from __future__ import annotations

import io
import os
import zipfile

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5

# extension -> (content type served back, check on the first bytes / whole file)
ALLOWED_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".txt": "text/plain",
}
ALLOWED_LABEL = "PDF, Word (.docx), JPEG, PNG or plain text"


def _looks_like(extension: str, head: bytes, upload) -> bool:
    if extension == ".pdf":
        return head.startswith(b"%PDF-")
    if extension in {".jpg", ".jpeg"}:
        return head.startswith(b"\xff\xd8\xff")
    if extension == ".png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if extension == ".docx":
        if not head.startswith(b"PK\x03\x04"):
            return False
        upload.seek(0)
        try:
            with zipfile.ZipFile(io.BytesIO(upload.read())) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return False
        return "[Content_Types].xml" in names and "word/document.xml" in names
    if extension == ".txt":
        upload.seek(0)
        data = upload.read()
        if b"\x00" in data:
            return False
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                data.decode("cp1252")
            except UnicodeDecodeError:
                return False
        return True
    return False


def check_upload(upload, *, field: str = "attachments") -> str:
    """Validate one uploaded file; return the content type to store. Raises ValidationError keyed by ``field``."""
    name = os.path.basename(upload.name or "")
    extension = os.path.splitext(name)[1].lower()
    if upload.size is None or upload.size == 0:
        raise ValidationError({field: f"{name} is empty."})
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({field: (f"{name} is {filesizeformat(upload.size)}: a file must be "
                                       f"{filesizeformat(MAX_ATTACHMENT_BYTES)} or smaller.")})
    if extension not in ALLOWED_TYPES:
        raise ValidationError({field: f"{name} is not an allowed type: attach a {ALLOWED_LABEL} file."})
    upload.seek(0)
    head = upload.read(16)
    ok = _looks_like(extension, head, upload)
    upload.seek(0)
    if not ok:
        raise ValidationError({field: (f"{name} does not contain what its name says ({extension}): attach a real "
                                       f"{ALLOWED_LABEL} file.")})
    return ALLOWED_TYPES[extension]


def check_uploads(uploads, *, field: str = "attachments") -> list[str]:
    uploads = list(uploads or [])
    if len(uploads) > MAX_ATTACHMENTS:
        raise ValidationError({field: f"Attach at most {MAX_ATTACHMENTS} files at a time."})
    return [check_upload(upload, field=field) for upload in uploads]
