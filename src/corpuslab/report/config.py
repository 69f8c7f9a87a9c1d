"""``corpuslab report``'s settings (light: the CLI imports this at start-up to build its flags)."""

from __future__ import annotations

from pydantic import Field

from corpuslab.core.config import StrictModel


class ReportConfig(StrictModel):
    """One HTML page for the runs in ``run_dirs`` (see :func:`corpuslab.report.build.run_report`)."""

    run_dirs: list[str] = Field(
        min_length=1,
        description="Run folders (any folder a corpuslab command wrote: it holds run.json) or single-file outputs "
                    "(with <file>.run.json beside them); a folder without a card is searched two levels deep.")
    output: str = Field("report.html", description="Where to write the HTML page (atomically).")
    label: list[str] = Field(default_factory=list,
                             description="A display name per run folder, in order (repeat the flag).")
    title: str = Field("corpuslab report", description="Page title.")
