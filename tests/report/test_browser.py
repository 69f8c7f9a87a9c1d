"""The page in a real browser: headless Chromium, no console errors, every section and chart drawn, screenshot.

Skipped when no Chromium is installed (CI installs Debian's ``chromium``). The screenshot is kept under
``artifacts/report/`` (git-ignored) so a person can look at it after the run.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest
from report_fixtures import MAKERS, make_all

from corpuslab.report.browser import check_page, find_browser
from corpuslab.report.build import build_report
from corpuslab.report.renderers import RENDERERS

# CI installs Debian's chromium and sets CORPUSLAB_REQUIRE_BROWSER=1: there a missing browser fails the run
# instead of silently skipping the page check.
if find_browser() is None and os.environ.get("CORPUSLAB_REQUIRE_BROWSER") == "1":
    raise RuntimeError("CORPUSLAB_REQUIRE_BROWSER=1 but no Chromium found (apt-get install chromium)")
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(find_browser() is None, reason="no Chromium/Chrome installed")]

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "report"


def assert_non_blank_png(path: Path, min_width: int = 800, min_coloured: float = 0.01) -> None:
    from PIL import Image

    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    img = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=np.int16)
    h, w, _ = img.shape
    assert w >= min_width and h >= 400
    # Not one colour: a good share of pixels differ from the background, and there is colour (charts).
    bg = np.median(img.reshape(-1, 3), axis=0)
    differs = (np.abs(img - bg).sum(axis=2) > 30).mean()
    assert differs > 0.05, f"screenshot looks blank ({differs:.1%} non-background pixels)"
    saturated = ((img.max(axis=2) - img.min(axis=2)) > 60).mean()
    assert saturated > min_coloured, f"too few coloured pixels ({saturated:.2%}): charts were not drawn"


@pytest.mark.slow  # ~20 s: the fast tier keeps the CLI check-and-screenshot browser test
def test_a_page_with_every_kind_renders_in_headless_chromium(tmp_path):
    runs = make_all(tmp_path)
    order = [*MAKERS, "unrecognised", "interrupted", "failed"]
    rep = build_report([runs[k] for k in order] + [tmp_path / "does-not-exist"], tmp_path / "report.html")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "report_every_kind.png"
    check = check_page(rep.path, shot)

    assert check.console_errors == []
    assert check.network_requests == []
    assert check.plotly_loaded
    expected_charts = sum(len(s.chart_names()) for s in rep.sections + rep.comparisons)
    assert check.charts == expected_charts and check.charts_drawn == expected_charts
    by_id = {s["id"]: s for s in check.sections}
    seen = [(by_id[f"run-{i}"]["kind"], by_id[f"run-{i}"]["status"]) for i in range(1, len(rep.sections) + 1)]
    assert seen == [(s.kind, s.status) for s in rep.sections]
    assert {k for k, _ in seen} == set(RENDERERS) | {"unrecognised", "missing"}
    assert {k: st for k, st in seen if k in RENDERERS and st != "ok"} == {"sample": "interrupted", "clean": "failed"}
    for i, s in enumerate(rep.sections, 1):  # every chart of every section is drawn where it belongs
        assert by_id[f"run-{i}"]["drawn"] == s.chart_names()
        if s.kind in RENDERERS:
            assert RENDERERS[s.kind].title in by_id[f"run-{i}"]["text"]
    texts = {by_id[f"run-{i}"]["status"]: by_id[f"run-{i}"]["text"] for i in range(1, len(rep.sections) + 1)}
    assert "killed: the card says running" in texts["interrupted"]
    assert "This run failed:" in texts["failed"] and "compressed stream is truncated" in texts["failed"]
    assert "Not a recognised corpuslab run" in texts["unrecognised"]
    compare = [s["kind"] for s in check.sections if s["id"].startswith("compare-")]
    assert compare == ["compare-sample", "compare-anatomy-labelshift", "compare-anatomy-evaluate"]
    assert check.page_size[0] <= 1366  # fits a laptop screen's width: no horizontal scrolling
    assert_non_blank_png(shot)


def test_the_checker_catches_console_errors(tmp_path):
    page = tmp_path / "bad.html"
    page.write_text("<!DOCTYPE html><html><body><p>x</p><script>console.error('deliberate');"
                    "undefinedFunction();</script></body></html>", encoding="utf-8")
    check = check_page(page, None)
    assert any("deliberate" in e for e in check.console_errors)
    assert any("undefinedFunction" in e for e in check.console_errors)
    assert not check.ok


def test_cli_check_and_screenshot(tmp_path):
    from report_fixtures import make_overlap_run
    from typer.testing import CliRunner

    from corpuslab.cli.main import app

    run = make_overlap_run(tmp_path)
    shot = tmp_path / "s.png"
    res = CliRunner().invoke(app, ["report", str(run), "-o", str(tmp_path / "r.html"), "--check",
                                   "--screenshot", str(shot)])
    assert res.exit_code == 0, res.output
    assert "1/1 charts drawn, 0 console error(s), 0 network request(s)" in res.output
    assert_non_blank_png(shot, min_width=600, min_coloured=0.0005)  # one thin line chart
    assert os.path.getsize(shot) > 10_000
