"""The run report: one self-contained HTML page a person opens from disk, without network.

``write_report`` gathers the run's figures (``extract.report.data``), renders them with inline
CSS and inline SVG charts (``extract.report.page``, ``extract.report.charts``) and writes
``index.html`` in ``settings.report_path`` (or ``out``) through a temporary file, so a reader
never sees half a page.  ``wirehouse run`` and the DAG's checks task write it after every run.

It supersedes Great Expectations' Data Docs as the page to read: those load their styles and
their index's list of runs from CDNs and show little offline; this page carries every
expectation's outcome with failing examples, and links to them as raw pages.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from extract.settings import Settings

__all__ = ["REPORT_NAME", "report_file", "write_report"]

log = logging.getLogger(__name__)

REPORT_NAME = "index.html"


def report_file(settings: Settings) -> Path:
    """Where the report goes by default: ``<report_path>/index.html``."""
    return settings.report_path / REPORT_NAME


def write_report(settings: Settings, batch_id: str | None = None, out: Path | None = None, live: bool = False) -> Path:
    """Write the report of ``batch_id`` (default: the latest loaded batch) and return its path.

    ``live``: read the live warehouse file, as the run holding the warehouse lock must."""
    from extract.report.data import gather
    from extract.report.page import render

    out = (out or report_file(settings)).resolve()
    html = render(gather(settings, batch_id, live), out)
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(f".tmp-{os.getpid()}-{out.name}")
    temporary.write_text(html, encoding="utf-8")
    os.replace(temporary, out)
    log.info("report: %s", out)
    return out
