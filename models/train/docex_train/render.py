"""Render generated documents (``synth.py``) to the file types docex reads.

* ``text_pdf(doc, path)``: a text PDF with the fpdf2 core fonts (Helvetica,
  Times, Courier; WinAnsi / cp1252 encoding, so ``€`` survives), one PDF page
  per ``\\f``-separated page of ``doc["text"]``.  Every text line is drawn as its
  column segments (runs of 2+ spaces split a line), in text order, so
  ``pdftotext`` and the Rust ``pdf-extract`` crate read back the same words in
  the same order.
* ``page_images(doc)``: one 8-bit grayscale PIL image per page (DejaVu fonts,
  A4 at ``dpi`` or receipt width), with mild scan noise (rotation < 1 degree,
  blur, speckles, uneven background) when ``noise`` is on.
* ``image_pdf(images, path)``: image-only PDF (img2pdf, JPEG / DCTDecode, page
  size from the DPI so an A4 scan is an A4 page).
* ``tiff(images, path)``: multi-page grayscale TIFF (Deflate, DPI tags).

Characters outside cp1252 (e.g. ``₹``) are transliterated by ``pdf_safe``
(``₹`` -> ``Rs.``) in text PDFs; ``rendered_text`` gives the text as drawn.
"""

from __future__ import annotations

import io
import os
import random
import re
from typing import Iterable

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
DEJAVU = {
    "sans": "DejaVuSans.ttf",
    "sans-bold": "DejaVuSans-Bold.ttf",
    "serif": "DejaVuSerif.ttf",
    "mono": "DejaVuSansMono.ttf",
    "mono-bold": "DejaVuSansMono-Bold.ttf",
}
A4_PT = (595.28, 841.89)
FIXED_DATE = __import__("datetime").datetime(2024, 1, 1, tzinfo=__import__("datetime").timezone.utc)
A4_IN = (8.27, 11.69)

_SUBST = {"₹": "Rs.", "\u2011": "-", "\u00a0": " "}


def pdf_safe(text: str) -> str:
    """Map characters a cp1252 core font cannot draw."""
    out = []
    for c in text:
        c = _SUBST.get(c, c)
        try:
            c.encode("cp1252")
        except UnicodeEncodeError:
            c = "?"
        out.append(c)
    return "".join(out)


def pages_of(doc_or_text) -> list[str]:
    text = doc_or_text["text"] if isinstance(doc_or_text, dict) else doc_or_text
    pages = text.split("\f")
    return [p[:-1] if p.endswith("\n") else p for p in pages]


_SEG = re.compile(r"\S+(?: \S+)*")


def segments(line: str) -> list[tuple[int, str]]:
    """Column segments of a line: (start column, text); runs of 2+ spaces split."""
    return [(m.start(), m.group(0)) for m in _SEG.finditer(line)]


def _layout_cols(lines: list[str]) -> int:
    return max([len(line.rstrip()) for line in lines] + [40])


def _is_bold(line: str, ln: int) -> bool:
    s = line.strip()
    return bool(s) and (ln == 0 or (s.isupper() and len(s) < 60 and not any(c.isdigit() for c in s)))


# --------------------------------------------------------------------------
# text PDF
# --------------------------------------------------------------------------

def text_pdf(doc: dict, path: str, font: str | None = None, seed: int = 0,
             max_size: float = 11.0, bold_headings: bool = True) -> int:
    """Write a text PDF; returns the page count."""
    from fpdf import FPDF

    rng = random.Random(seed)
    font = font or rng.choice(["Helvetica", "Times", "Courier"])
    pages = [pdf_safe(p) for p in pages_of(doc)]
    pdf = FPDF(unit="pt", format="A4")
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_auto_page_break(False)
    pdf.set_creator("docex synth")
    pdf.set_creation_date(FIXED_DATE)  # reproducible bytes
    margin = 48.0
    usable_w = A4_PT[0] - 2 * margin
    usable_h = A4_PT[1] - 2 * margin
    all_lines = [line for p in pages for line in p.split("\n")]
    cols = _layout_cols(all_lines)
    size = min(max_size, usable_w / (cols * 0.6))
    for page in pages:
        lines = page.split("\n")
        lh = size * 1.32
        psize = size
        if len(lines) * lh > usable_h:
            lh = usable_h / max(1, len(lines))
            psize = min(size, lh / 1.2)
        pdf.add_page()
        cw = usable_w / cols
        y = margin + psize
        for ln, line in enumerate(lines):
            bold = bold_headings and _is_bold(line, ln) and font != "Courier"
            pdf.set_font(font, "B" if bold else "", psize)
            prev_end = -1.0
            segs = segments(line)
            for k, (col, s) in enumerate(segs):
                w = pdf.get_string_width(s)
                end_col = col + len(s)
                if k > 0 and end_col >= cols - 1 and font != "Courier":
                    x = margin + usable_w - w  # right-aligned column
                else:
                    x = margin + col * cw
                if prev_end >= 0 and x < prev_end + psize * 0.6:
                    x = prev_end + psize * 0.6
                pdf.text(x, y, s)
                prev_end = x + w
            y += lh
    pdf.output(path)
    return len(pages)


# --------------------------------------------------------------------------
# page images
# --------------------------------------------------------------------------

def _font(name: str, px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(os.path.join(FONT_DIR, DEJAVU[name]), px)


def page_images(doc: dict, dpi: int = 200, kind: str | None = None, font: str | None = None,
                seed: int = 0, noise: bool = True, min_px: int = 0,
                max_pt: float = 11.0) -> list[Image.Image]:
    """Render each page to an 8-bit grayscale image.

    kind "a4" (default for invoices/contracts) or "receipt" (narrow paper,
    height fits the content).  ``min_px`` forces a minimum font size in pixels
    (raise it to help OCR)."""
    rng = random.Random(seed)
    kind = kind or ("receipt" if doc.get("doc_type") == "receipt" else "a4")
    font = font or rng.choice(["sans", "serif", "mono"])
    pages = pages_of(doc)
    all_lines = [line for p in pages for line in p.split("\n")]
    cols = _layout_cols(all_lines)
    out = []
    for page in pages:
        lines = page.split("\n")
        if kind == "receipt":
            width = int(3.15 * dpi)  # 80 mm paper
            margin = int(0.12 * dpi)
            cw = (width - 2 * margin) / cols
            px = max(min_px, int(cw / 0.6))
            lh = int(px * 1.35)
            height = max(int(4 * dpi), 2 * margin + lh * (len(lines) + 1))
        else:
            width, height = int(A4_IN[0] * dpi), int(A4_IN[1] * dpi)
            margin = int(0.65 * dpi)
            px = int(min(max_pt * dpi / 72, (width - 2 * margin) / (cols * 0.6)))
            px = max(px, min_px)
            cw = (width - 2 * margin) / cols
            lh = int(px * 1.32)
            if len(lines) * lh > height - 2 * margin:
                lh = (height - 2 * margin) // max(1, len(lines))
                px = min(px, int(lh / 1.15))
        img = Image.new("L", (width, height), 255)
        draw = ImageDraw.Draw(img)
        regular = _font(font, px)
        bold = _font("mono-bold" if font == "mono" else "sans-bold", px)
        y = margin
        for ln, line in enumerate(lines):
            f = bold if _is_bold(line, ln) else regular
            prev_end = -1.0
            segs = segments(line)
            for k, (col, s) in enumerate(segs):
                w = f.getlength(s)
                if k > 0 and col + len(s) >= cols - 1:
                    x = width - margin - w
                else:
                    x = margin + col * cw
                if prev_end >= 0 and x < prev_end + px * 0.6:
                    x = prev_end + px * 0.6
                if x + w > width - 4:  # too long: shrink this segment
                    x = max(4, width - 4 - w)
                draw.text((x, y), s, fill=rng.randint(0, 40), font=f)
                prev_end = x + w
            y += lh
        if noise:
            img = scan_noise(img, rng, photo=(kind == "receipt"))
        out.append(img)
    return out


def scan_noise(img: Image.Image, rng: random.Random, photo: bool = False,
               max_angle: float = 0.8) -> Image.Image:
    """Mild scan degradation that keeps files compressible: rotation, blur,
    paper tone, sparse speckles (and a lighting gradient for photos)."""
    w, h = img.size
    paper = rng.randint(228, 250) if photo else rng.randint(238, 252)
    # paper tone: map 255 -> paper, keep ink dark
    img = img.point(lambda v: int(v * paper / 255))
    angle = rng.uniform(-max_angle, max_angle)
    img = img.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=paper)
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.35, 0.8)))
    # quantise to 16 grey levels: looks the same, compresses 2-3x better
    img = img.point(lambda v: min(255, (v + 8) // 17 * 17))
    if photo:
        # smooth lighting gradient (one grey level per step: no visible bands)
        grad = Image.linear_gradient("L").resize((w, h))
        if rng.random() < 0.5:
            grad = grad.transpose(Image.ROTATE_90).resize((w, h))
        strength = rng.uniform(0.06, 0.14)
        grad = grad.point(lambda v: 255 - int(v * strength))
        from PIL import ImageChops
        img = ImageChops.multiply(img, grad)
    px = img.load()
    n = int(w * h * rng.uniform(0.00005, 0.0002))
    for _ in range(n):
        x, y = rng.randrange(w), rng.randrange(h)
        v = rng.randint(60, 180)
        px[x, y] = v
        if rng.random() < 0.3 and x + 1 < w:
            px[x + 1, y] = v
    return img


def image_pdf(images: Iterable[Image.Image], path: str, dpi: int = 200, quality: int = 70) -> int:
    """Image-only PDF, one JPEG page per image (page size = pixels / dpi)."""
    import img2pdf

    blobs = []
    for im in images:
        b = io.BytesIO()
        im.convert("L").save(b, "JPEG", quality=quality, dpi=(dpi, dpi), optimize=True)
        blobs.append(b.getvalue())
    layout = img2pdf.get_fixed_dpi_layout_fun((dpi, dpi))
    with open(path, "wb") as f:
        f.write(img2pdf.convert(blobs, layout_fun=layout, creationdate=FIXED_DATE, moddate=FIXED_DATE,
                                engine=img2pdf.Engine.internal))
    return len(blobs)


def tiff(images: list[Image.Image], path: str, dpi: int = 200) -> int:
    """Multi-page 8-bit grayscale TIFF (Deflate)."""
    ims = [im.convert("L") for im in images]
    ims[0].save(path, "TIFF", save_all=True, append_images=ims[1:], compression="tiff_adobe_deflate",
                dpi=(dpi, dpi))
    return len(ims)


def png(image: Image.Image, path: str, dpi: int = 200) -> None:
    image.convert("L").save(path, "PNG", optimize=True, dpi=(dpi, dpi))
