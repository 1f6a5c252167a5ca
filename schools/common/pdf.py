"""HTML to PDF with WeasyPrint: the one place the service lays out a PDF (letters, packs, invoices, reports, subject
access exports). Templates are self-contained (their own <style>) and may load nothing over the network: PDFs of pupil
data must not call out, and a template that asks to is a mistake, so the fetch is refused.

Every PDF is tagged (PDF/UA-1: a structure tree with headings, lists and table headers, the document's title and
language from the template's <title> and <html lang>), as the Public Sector Bodies (Websites and Mobile Applications)
Accessibility Regulations 2018 expect of published committee papers and of letters a parent may read with a screen
reader."""

from __future__ import annotations

from django.conf import settings


class RemoteFetchRefused(ValueError):
    """A PDF template asked for a resource over the network or from disk; it must carry everything it needs."""


def _fetcher():
    from weasyprint.urls import URLFetcher

    class RefusingFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            raise RemoteFetchRefused(f"PDF templates may not load external resources ({url})")

    # fail_on_errors: a refused fetch stops the rendering instead of leaving a hole in the document.
    return RefusingFetcher(fail_on_errors=True)


def _document(html: str):
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    try:
        return HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=_fetcher()).render()
    except FatalURLFetchingError as error:  # a BaseException in WeasyPrint: made an ordinary error for the caller
        raise RemoteFetchRefused(str(error.__cause__ or error)) from None


#: WeasyPrint's tagged output (its ``pdf_variant``): PDF/UA-1 implies the tags, the title and the language.
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}


def html_to_pdf(html: str) -> bytes:
    return _document(html).write_pdf(**PDF_OPTIONS)


def html_to_pdf_with_pages(html: str) -> tuple[bytes, int]:
    """The PDF and its page count (a report run records how many pages it made)."""
    document = _document(html)
    return document.write_pdf(**PDF_OPTIONS), len(document.pages)


def htmls_to_one_pdf(htmls: list[str]) -> bytes:
    """Several documents in one PDF (a letter batch), each starting on a new page; empty bytes for none."""
    if not htmls:
        return b""
    documents = [_document(html) for html in htmls]
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf(**PDF_OPTIONS)
