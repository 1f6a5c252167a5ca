"""Checks on uploaded attachments (chronology, referrals, penalty-notice evidence): size, extension, that the content
really is that type, and that it carries nothing active. A PDF must parse and hold no JavaScript, launch action,
embedded file or HTML (a PDF/HTML polyglot); a Word file must unzip to a reasonable size and ratio (no zip bomb) and
hold no macros; a photo is decoded and saved again, keeping the picture and nothing else. Every file is served back
as a download with ``nosniff`` (cases.views.attachment_download, legal.views.evidence_download)."""

from __future__ import annotations

import io
import os
import re
import zipfile

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5
#: A Word file's parts may unzip to this much in all, and no part may be this many times its compressed size: real
#: documents stay far below both; a zip bomb (0.5 MB inflating to 500 MB) does not.
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_ZIP_PARTS = 1_000
#: A photo larger than this many pixels is refused (decompression bombs); a 48-megapixel phone photo is under it.
MAX_IMAGE_PIXELS = 60_000_000
#: What a PDF may not carry: scripts, actions that run or open something, files inside it, and HTML a browser would
#: render if the file were ever served as a page.
PDF_ACTIVE_KEYS = ("/JavaScript", "/JS", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia", "/XFA")
PDF_ACTIVE_ACTIONS = ("/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToR", "/GoToE", "/Rendition")
HTML_MARKERS = re.compile(rb"<\s*(html|script|body|iframe|svg|object|embed)\b|<!doctype\s+html", re.IGNORECASE)

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


def _refuse(field: str, name: str, why: str):
    raise ValidationError({field: f"{name} cannot be attached: {why}. Attach a plain {ALLOWED_LABEL} file."})


def _pdf_is_passive(data: bytes) -> str | None:
    """Why the PDF is refused, or None."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if HTML_MARKERS.search(data):
        return "it also contains a web page (HTML)"
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return "it is password-protected"
        objects = [reader.trailer["/Root"], *(page.get_object() for page in reader.pages)]
    except (PdfReadError, KeyError, ValueError, TypeError, OSError, RecursionError):
        return "it is not a PDF that can be read"
    seen: set[int] = set()
    stack = list(objects)
    while stack:
        node = stack.pop()
        try:
            node = node.get_object()
        except (AttributeError, PdfReadError, ValueError, RecursionError):
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        if hasattr(node, "keys"):
            found = [key for key in node.keys() if key in PDF_ACTIVE_KEYS]
            if found:
                return f"it holds active content ({found[0][1:]})"
            if node.get("/S") in PDF_ACTIVE_ACTIONS:
                return f"it holds active content (a {str(node.get('/S'))[1:]} action)"
            stack.extend(value for key, value in node.items() if key not in ("/Parent", "/P"))
        elif isinstance(node, list):
            stack.extend(node)
        if len(seen) > 50_000:
            return "it is too complex to check"
    return None


def _docx_is_safe(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            if len(parts) > MAX_ZIP_PARTS:
                return "it holds too many parts"
            if sum(part.file_size for part in parts) > MAX_UNZIPPED_BYTES:
                return f"it unpacks to more than {filesizeformat(MAX_UNZIPPED_BYTES)}"
            if any(part.compress_size and part.file_size / part.compress_size > MAX_COMPRESSION_RATIO
                   for part in parts):
                return "one of its parts is compressed beyond any real document (a zip bomb)"
            names = {part.filename for part in parts}
    except (zipfile.BadZipFile, OSError, ValueError):
        return "it is not a Word file that can be read"
    if "[Content_Types].xml" not in names or "word/document.xml" not in names:
        return "it is not a Word (.docx) file"
    if any(name.lower().endswith(("vbaproject.bin", ".bin")) or "activex" in name.lower() for name in names):
        return "it holds macros or ActiveX controls"
    return None


def _image_again(data: bytes, extension: str) -> bytes | str:
    """The photo decoded and saved again (so nothing hidden in the file survives), or why it is refused."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                return "the picture is too large"
            image.load()
            kind = "JPEG" if extension in {".jpg", ".jpeg"} else "PNG"
            if image.format != kind:
                return f"it is not a {kind} picture"
            picture = image.convert("RGB" if kind == "JPEG" else ("RGBA" if "A" in image.getbands() else "RGB"))
            picture.info.clear()  # comments, EXIF, text chunks: only the picture is kept
            out = io.BytesIO()
            picture.save(out, kind, **({"quality": 90} if kind == "JPEG" else {}))
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return "it is not a picture that can be read"


def clean_upload(upload, *, field: str = "attachments") -> tuple[object, str]:
    """Validate one uploaded file: (the file to keep, its content type). A photo is kept as decoded and saved again;
    anything else as it came. Raises ValidationError keyed by ``field``."""
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
    data = upload.read()
    upload.seek(0)
    if extension == ".pdf" and (why := _pdf_is_passive(data)):
        _refuse(field, name, why)
    if extension == ".docx" and (why := _docx_is_safe(data)):
        _refuse(field, name, why)
    if extension == ".txt" and HTML_MARKERS.search(data):
        _refuse(field, name, "it contains a web page (HTML)")
    if extension in {".jpg", ".jpeg", ".png"}:
        again = _image_again(data, extension)
        if isinstance(again, str):
            _refuse(field, name, again)
        return ContentFile(again, name=name), ALLOWED_TYPES[extension]
    return upload, ALLOWED_TYPES[extension]


def clean_uploads(uploads, *, field: str = "attachments") -> list[tuple[object, str]]:
    """Every file checked (clean_upload), or none kept: the first refusal names the file and why."""
    uploads = list(uploads or [])
    if len(uploads) > MAX_ATTACHMENTS:
        raise ValidationError({field: f"Attach at most {MAX_ATTACHMENTS} files at a time."})
    return [clean_upload(upload, field=field) for upload in uploads]
