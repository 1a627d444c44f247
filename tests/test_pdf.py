"""The report printed to PDF with headless Chromium (gep.render.pdf, ``gep pdf``).

Tests that need Chromium are skipped when it is not installed (CI installs it: .ci/run).
A4 is 210 × 297 mm = 595.28 × 841.89 points; Chromium writes a MediaBox of 594.96 × 841.92.
"""
from __future__ import annotations

import re

import pytest

from gep.cli import main
from gep.render.html import write_html
from gep.render.pdf import ChromiumNotFound, check_renders, find_chromium, html_to_pdf, pdf_page_count

try:
    find_chromium()
    _CHROMIUM = None
except ChromiumNotFound as exc:
    _CHROMIUM = str(exc)

needs_chromium = pytest.mark.skipif(_CHROMIUM is not None, reason=f"headless Chromium not installed: {_CHROMIUM}")


def _media_boxes(data: bytes) -> list[tuple[float, float]]:
    boxes = re.findall(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]", data)
    return [(float(x1) - float(x0), float(y1) - float(y0)) for x0, y0, x1, y1 in boxes]


@needs_chromium
def test_tiny_report_prints_to_a4_pdf_and_renders_cleanly(tiny, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", str(tiny), "--out", str(out)]) == 0
    assert main(["pdf", str(out)]) == 0
    pdf = tmp_path / "run.report.pdf"  # beside the run folder, which stays as its manifest lists
    assert main(["verify", str(out)]) == 0
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    assert pdf_page_count(data) >= 2
    boxes = _media_boxes(data)
    assert boxes, "no MediaBox in the PDF"
    for width, height in boxes:
        assert width == pytest.approx(595.28, abs=2) and height == pytest.approx(841.89, abs=2), (width, height)
    assert b"/FontName" in data  # text, not an empty page
    assert check_renders(out / "gep_report.html") == []
    # never overwritten
    capsys.readouterr()
    assert main(["pdf", str(out)]) == 1
    assert "never overwritten" in capsys.readouterr().err
    assert pdf.read_bytes() == data


@needs_chromium
def test_comparable_report_renders_cleanly(tmp_path):
    from test_render import build_comparable_tables
    html = write_html(tmp_path / "report.html", *build_comparable_tables())
    assert check_renders(html) == []
    pdf = html_to_pdf(html, tmp_path / "elsewhere" / "report.pdf")
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert not [p for p in pdf.parent.iterdir() if p.name != "report.pdf"]  # no partial file left behind


@needs_chromium
def test_check_renders_reports_errors(tmp_path):
    page = tmp_path / "broken.html"
    page.write_text('<!DOCTYPE html><html><head><meta charset="utf-8"><title>x</title>'
                    '<link rel="stylesheet" href="missing.css"></head><body><img src="missing.png">'
                    '<script>console.error("boom"); notDefined();</script></body></html>', encoding="utf-8")
    errors = check_renders(page)
    assert any("missing.css" in e for e in errors)
    assert any("missing.png" in e for e in errors)
    assert any("console.error: boom" in e for e in errors)
    assert any("notDefined" in e for e in errors)


def test_missing_chromium_is_a_clear_error(tmp_path, monkeypatch):
    html = tmp_path / "r.html"
    html.write_text("<!DOCTYPE html><title>x</title>", encoding="utf-8")
    monkeypatch.setenv("GEP_CHROMIUM", str(tmp_path / "no-such-chromium"))
    with pytest.raises(ChromiumNotFound, match="GEP_CHROMIUM"):
        html_to_pdf(html, tmp_path / "r.pdf")
    with pytest.raises(ChromiumNotFound):
        check_renders(html)
    assert not (tmp_path / "r.pdf").exists()


def test_existing_pdf_is_refused_before_printing(tmp_path, capsys):
    html = tmp_path / "r.html"
    html.write_text("<!DOCTYPE html><title>x</title>", encoding="utf-8")
    target = tmp_path / "r.pdf"
    target.write_bytes(b"mine")
    with pytest.raises(FileExistsError):
        html_to_pdf(html, target)
    assert target.read_bytes() == b"mine"
    (tmp_path / "run").mkdir()
    assert main(["pdf", str(tmp_path / "run")]) == 1  # not a run folder
    assert "gep_report.html" in capsys.readouterr().err


def test_pdf_page_count():
    data = b"<< /Type /Pages /Count 2 >> << /Type /Page /MediaBox [0 0 594.96 841.92] >> << /Type /Page >>"
    assert pdf_page_count(data) == 2
    assert _media_boxes(data) == [(594.96, 841.92)]
