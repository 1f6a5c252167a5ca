"""Checking our own letter PDF against GOV.UK Notify's precompiled letter specification before it is sent, so a letter
Notify would refuse (or print with the address outside the envelope window) is stopped here with a reason the officer
can act on, instead of coming back days later as "validation-failed". The figures are in legal.messaging.rules.

Text positions are read with pypdf (the start of each run of text: its baseline, from the text and transformation
matrices); widths are not measured, so a line that starts inside the border but runs past it is not caught here
(our template's fixed widths keep lines inside)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from legal.messaging import rules


class LetterSpecError(ValueError):
    """The PDF is outside Notify's letter specification; the message says how."""


@dataclass(frozen=True)
class TextRun:
    page: int
    x_mm: float  # from the left edge
    y_mm: float  # baseline, from the top edge
    text: str


def _runs(page, number: int) -> list[TextRun]:
    height = float(page.mediabox.height)
    runs: list[TextRun] = []

    def visit(text, cm, tm, font_dict, font_size):
        if not text.strip():
            return
        a, b, c, d, e, f = (float(v) for v in cm)
        x = float(tm[4]) * a + float(tm[5]) * c + e
        y = float(tm[4]) * b + float(tm[5]) * d + f
        runs.append(TextRun(number, x / rules.MM, (height - y) / rules.MM, text.strip()))

    page.extract_text(visitor_text=visit)
    return runs


def _fonts_embedded(page) -> list[str]:
    """Names of the page's fonts that are not embedded (a Type 3 font draws its glyphs in the PDF itself)."""
    missing = []
    resources = page.get("/Resources") or {}
    fonts = resources.get("/Font") or {}
    for name, ref in fonts.items():
        font = ref.get_object()
        if font.get("/Subtype") == "/Type3":
            continue
        descendants = font.get("/DescendantFonts")
        holder = descendants[0].get_object() if descendants else font
        descriptor = holder.get("/FontDescriptor")
        descriptor = descriptor.get_object() if descriptor is not None else {}
        if not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
            missing.append(str(font.get("/BaseFont", name)).lstrip("/"))
    return missing


def check(pdf: bytes) -> int:
    """Raise LetterSpecError saying what is wrong, or return the page count."""
    import pypdf

    if len(pdf) > rules.MAX_PDF_BYTES:
        raise LetterSpecError(f"The letter's PDF is {len(pdf) / 1024 / 1024:.1f} MB: GOV.UK Notify takes letters "
                              f"under {rules.MAX_PDF_BYTES // 1024 // 1024} MB.")
    try:
        reader = pypdf.PdfReader(io.BytesIO(pdf))
        pages = list(reader.pages)
    except Exception as error:  # pypdf raises many kinds for a damaged file
        raise LetterSpecError(f"The letter's PDF could not be read ({error.__class__.__name__}).") from None
    if not pages:
        raise LetterSpecError("The letter's PDF has no pages.")
    if len(pages) > rules.MAX_PAGES:
        raise LetterSpecError(f"The letter is {len(pages)} pages long: GOV.UK Notify posts letters of up to "
                              f"{rules.MAX_PAGES} pages. Shorten the template, or print and post this one by hand.")
    for number, page in enumerate(pages, start=1):
        _check_page(page, number)
    return len(pages)


def _check_page(page, number: int) -> None:
    width = float(page.mediabox.width) / rules.MM
    height = float(page.mediabox.height) / rules.MM
    if abs(width - rules.A4_WIDTH_MM) > rules.PAGE_TOLERANCE_MM or \
            abs(height - rules.A4_HEIGHT_MM) > rules.PAGE_TOLERANCE_MM:
        raise LetterSpecError(f"Page {number} is {width:.0f} × {height:.0f} mm: GOV.UK Notify prints A4 portrait "
                              "(210 × 297 mm) only.")
    missing = _fonts_embedded(page)
    if missing:
        raise LetterSpecError(f"Page {number} uses fonts that are not embedded ({', '.join(missing)}): GOV.UK "
                              "Notify needs every font in the PDF.")
    runs = _runs(page, number)
    tolerance = 0.5
    for run in runs:
        if (run.x_mm < rules.BORDER_SIDE_MM - tolerance or run.x_mm > rules.A4_WIDTH_MM - rules.BORDER_SIDE_MM
                or run.y_mm < rules.BORDER_TOP_BOTTOM_MM
                or run.y_mm > rules.A4_HEIGHT_MM - rules.BORDER_TOP_BOTTOM_MM):
            raise LetterSpecError(f"Page {number} has text outside the printable area (“{run.text[:30]}” at "
                                  f"{run.x_mm:.0f} mm from the left, {run.y_mm:.0f} mm from the top): GOV.UK Notify "
                                  "keeps 15 mm at the sides and 5 mm at the top and bottom clear.")
    if number == 1:
        _check_address(runs)


def _check_address(runs: list[TextRun]) -> None:
    tolerance = 0.5
    in_block = [run for run in runs
                if rules.ADDRESS_LEFT_MM - tolerance <= run.x_mm <= rules.ADDRESS_RIGHT_MM
                and rules.ADDRESS_TOP_MM <= run.y_mm <= rules.ADDRESS_BOTTOM_MM + tolerance]
    lines = sorted({round(run.y_mm, 1) for run in in_block})
    if not rules.MIN_ADDRESS_LINES <= len(lines) <= rules.MAX_ADDRESS_LINES:
        raise LetterSpecError(f"The address block on page 1 has {len(lines)} line{'s' if len(lines) != 1 else ''}: "
                              f"GOV.UK Notify needs the name and address in {rules.MIN_ADDRESS_LINES} to "
                              f"{rules.MAX_ADDRESS_LINES} lines, 24.6 mm from the left and 39.5 mm from the top.")
    # Anything else above the body must be the letterhead (right of the address block) or the logo (top strip):
    # text beside or under the address would show through the envelope window.
    for run in runs:
        if run in in_block or run.y_mm >= rules.BODY_TOP_MM or run.y_mm < rules.ADDRESS_TOP_MM:
            continue
        if run.x_mm > rules.ADDRESS_RIGHT_MM:
            continue
        raise LetterSpecError(f"Page 1 has text (“{run.text[:30]}”) beside or below the address block, where it "
                              "would show in the envelope window: the letter must start 95 mm from the top.")
