"""HTML to PDF with WeasyPrint. Templates are self-contained (their own <style>) and load no remote resources."""

from __future__ import annotations

from django.conf import settings


def _no_remote_fetch(url: str, *args, **kwargs):
    # PDFs of pupil data must not call out to the network; templates carry everything they need.
    raise ValueError(f"PDF templates may not load external resources ({url})")


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=_no_remote_fetch).write_pdf()
