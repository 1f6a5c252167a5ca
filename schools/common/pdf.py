"""HTML to PDF with WeasyPrint: the one place the service lays out a PDF (letters, packs, invoices, reports, subject
access exports). Templates are self-contained (their own <style>) and may load nothing over the network: PDFs of pupil
data must not call out, and a template that asks to is a mistake, so the fetch is refused."""

from __future__ import annotations

from django.conf import settings


def refuse_remote_fetch(url: str, *args, **kwargs):
    raise ValueError(f"PDF templates may not load external resources ({url})")


def _document(html: str):
    from weasyprint import HTML

    return HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=refuse_remote_fetch).render()


def html_to_pdf(html: str) -> bytes:
    return _document(html).write_pdf()


def html_to_pdf_with_pages(html: str) -> tuple[bytes, int]:
    """The PDF and its page count (a report run records how many pages it made)."""
    document = _document(html)
    return document.write_pdf(), len(document.pages)


def htmls_to_one_pdf(htmls: list[str]) -> bytes:
    """Several documents in one PDF (a letter batch), each starting on a new page; empty bytes for none."""
    if not htmls:
        return b""
    documents = [_document(html) for html in htmls]
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()
