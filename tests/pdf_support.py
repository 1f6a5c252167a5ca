"""What every PDF the service makes must be: tagged (PDF/UA), with a title and a language, and a structure tree that
holds the headings and the table headers a screen reader navigates by. Read with pypdf; `pdfinfo` (poppler-utils)
says "Tagged: yes" too when it is installed."""

from __future__ import annotations

import io
import shutil
import subprocess

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject


def _roles(node, found: set[str], depth: int = 0) -> None:
    if depth > 200:
        return
    if isinstance(node, IndirectObject):
        node = node.get_object()
    if isinstance(node, ArrayObject):
        for child in node:
            _roles(child, found, depth + 1)
    elif isinstance(node, DictionaryObject):
        if "/S" in node:
            found.add(str(node["/S"]).lstrip("/"))
        if "/K" in node:
            _roles(node["/K"], found, depth + 1)


def structure_of(content: bytes) -> dict:
    """The tagging facts of a PDF: marked, its structure roles (H1, Table, TH...), title and language."""
    reader = PdfReader(io.BytesIO(content))
    root = reader.trailer["/Root"]
    roles: set[str] = set()
    if "/StructTreeRoot" in root:
        _roles(root["/StructTreeRoot"].get_object().get("/K"), roles)
    return {"marked": bool(root.get("/MarkInfo", {}).get("/Marked")), "roles": roles,
            "title": (reader.metadata.title if reader.metadata else "") or "", "lang": str(root.get("/Lang", ""))}


def assert_tagged_pdf(content: bytes, *, title: str = "", roles: set[str] = frozenset({"H1"})) -> dict:
    facts = structure_of(content)
    assert facts["marked"], "the PDF is not tagged"
    assert facts["lang"].startswith("en"), f"the PDF names no language: {facts['lang']!r}"
    assert facts["title"] and title in facts["title"], f"the PDF's title is {facts['title']!r}"
    assert roles <= facts["roles"], f"missing structure {roles - facts['roles']} in {sorted(facts['roles'])}"
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", "-"], input=content, capture_output=True, check=True).stdout.decode()
        assert "Tagged:         yes" in info, info
    return facts


def minimal_pdf(title: str = "A letter to the school") -> bytes:
    """A small, real, one-page PDF (an upload that must be accepted)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
