import dataclasses
import pickle
import re
import subprocess
from dataclasses import fields
from pathlib import Path

import pytest

from extract.settings import _RULES, NOT_SETTINGS, PROJECT_ROOT, Settings, SettingsError, load_settings

ROOT = PROJECT_ROOT


def test_environment_overrides_file_and_defaults(tmp_path: Path) -> None:
    file = tmp_path / "wirehouse.yml"
    file.write_text("host_delay: 3\nmin_words: 10\nwarehouse: news.duckdb\n")
    settings = load_settings(
        file, environ={"WIREHOUSE_HOST_DELAY": "0", "WIREHOUSE_ALLOW_PRIVATE": "yes", "WIREHOUSE_HOME": str(tmp_path)}
    )
    assert settings.host_delay == 0.0
    assert settings.allow_private is True
    assert settings.min_words == 10
    assert settings.warehouse_path == tmp_path / "news.duckdb"


def test_defaults_are_safe() -> None:
    settings = load_settings(environ={})
    assert settings.allow_private is False
    assert settings.host_delay > 0
    assert settings.respect_robots is True


@pytest.mark.parametrize("env", [{"WIREHOUSE_ALLOW_PRIVATE": "maybe"}, {"WIREHOUSE_RETRIES": "many"}])
def test_bad_values_are_refused_with_the_setting_named(env: dict[str, str]) -> None:
    (variable,) = env
    with pytest.raises(ValueError, match=f"setting {variable.removeprefix('WIREHOUSE_').lower()} wants .*{variable}$"):
        load_settings(environ=env)


def test_unknown_setting_in_file_is_an_error(tmp_path: Path) -> None:
    file = tmp_path / "wirehouse.yml"
    file.write_text("hots_delay: 1\n")
    with pytest.raises(ValueError, match="hots_delay"):
        load_settings(file, environ={})


# --- errors a person understands: the setting, what it wants, what it got, and from where ---


def test_a_bad_variable_is_named_with_its_type_and_source() -> None:
    with pytest.raises(SettingsError) as error:
        load_settings(environ={"WIREHOUSE_HOST_DELAY": "abc"})
    assert str(error.value) == (
        "setting host_delay wants a number (seconds) of at least 0, got 'abc' "
        "from the environment variable WIREHOUSE_HOST_DELAY"
    )


def test_a_bad_value_in_the_file_names_the_file(tmp_path: Path) -> None:
    file = tmp_path / "settings.yml"
    file.write_text("retries: many\n")
    with pytest.raises(SettingsError, match=f"setting retries wants a whole number .*got 'many' from {file}$"):
        load_settings(file, environ={})


def test_a_bad_override_is_from_the_command_line() -> None:
    with pytest.raises(SettingsError, match="setting part_size .* got 0 from the command line$"):
        load_settings(environ={}, part_size=0)


@pytest.mark.parametrize(
    ("name", "value", "wants"),
    [
        ("host_delay", "-1", "a number (seconds) of at least 0"),
        ("backoff", "-0.5", "a number (seconds) of at least 0"),
        ("connect_timeout", "0", "a number (seconds) above 0"),
        ("read_timeout", "-3", "a number (seconds) above 0"),
        ("lock_timeout", "-1", "of at least 0"),
        ("nlp_article_seconds", "nan", "of at least 0"),
        ("part_size", "0", "a whole number (URLs) of at least 1"),
        ("workers", "0", "a whole number of at least 1"),
        ("fetch_workers", "-2", "of at least 1"),
        ("host_concurrency", "0", "of at least 1"),
        ("clean_chunk_size", "0", "of at least 1"),
        ("nlp_chunk_size", "0", "of at least 1"),
        ("nlp_batch_size", "0", "of at least 1"),
        ("max_bytes", "0", "a whole number (bytes) of at least 1"),
        ("max_bytes", "inf", "a whole number (bytes)"),
        ("retries", "2.5", "a whole number of at least 0"),
        ("retries", "-1", "a whole number of at least 0"),
        ("max_redirects", "-1", "of at least 0"),
        ("max_sitemap_urls", "0", "of at least 1"),
        ("nlp_max_chars", "0", "of at least 1"),
        ("near_duplicate_bits", "65", "from 0 to 64"),
        ("near_duplicate_jaccard", "1.5", "a number from 0 to 1"),
        ("demo_port", "70000", "from 0 to 65535"),
        ("nlp_blas", "mkl", "one of 'numpy', 'blis'"),
        ("allow_private", "maybe", "a boolean"),
        ("home", "", "a path"),
        ("spacy_model", "", "text"),
    ],
)
def test_values_out_of_range_are_refused(name: str, value: str, wants: str) -> None:
    variable = f"WIREHOUSE_{name.upper()}"
    with pytest.raises(SettingsError) as error:
        load_settings(environ={variable: value})
    message = str(error.value)
    assert message.startswith(f"setting {name} wants ")
    assert wants in message
    assert message.endswith(f"got {value!r} from the environment variable {variable}")


@pytest.mark.parametrize(("text", "got"), [("host_delay: true\n", "True"), ("max_bytes: [1, 2]\n", "[1, 2]")])
def test_yaml_values_of_the_wrong_kind_are_refused(tmp_path: Path, text: str, got: str) -> None:
    """YAML's ``true`` is not a delay of 1 second, though Python would take it for one."""
    file = tmp_path / "settings.yml"
    file.write_text(text)
    with pytest.raises(SettingsError, match=re.escape(f"got {got} from {file}")):
        load_settings(file, environ={})


def test_good_values_in_every_spelling_are_accepted(tmp_path: Path) -> None:
    file = tmp_path / "settings.yml"
    file.write_text("host_delay: 2\nmax_bytes: 1e6\nrespect_robots: no\nnear_duplicate_jaccard: 1\n")
    environ = {"WIREHOUSE_RETRIES": " 3 ", "WIREHOUSE_REFETCH": "ON", "WIREHOUSE_SOURCES": "~/feeds.yml"}
    settings = load_settings(file, environ=environ, lock_timeout=0)
    assert (settings.host_delay, settings.max_bytes, settings.retries) == (2.0, 1_000_000, 3)
    assert isinstance(settings.host_delay, float) and isinstance(settings.max_bytes, int)
    assert (settings.respect_robots, settings.refetch, settings.lock_timeout) == (False, True, 0.0)
    assert settings.sources == Path.home() / "feeds.yml"


# --- names that are no setting ---


def test_a_misspelled_key_gets_a_suggestion(tmp_path: Path) -> None:
    file = tmp_path / "settings.yml"
    file.write_text("host_dealy: 0\n")
    with pytest.raises(SettingsError) as error:
        load_settings(file, environ={})
    assert str(error.value) == f"unknown setting 'host_dealy' in {file}; did you mean 'host_delay'?"


def test_a_misspelled_variable_gets_a_suggestion() -> None:
    with pytest.raises(SettingsError) as error:
        load_settings(environ={"WIREHOUSE_HOST_DELAYY": "0"})
    assert str(error.value) == (
        "unknown setting WIREHOUSE_HOST_DELAYY in the environment; did you mean WIREHOUSE_HOST_DELAY?"
    )


def test_a_name_like_nothing_points_to_the_readme() -> None:
    with pytest.raises(SettingsError, match="unknown setting WIREHOUSE_ZZZ in the environment; see the README"):
        load_settings(environ={"WIREHOUSE_ZZZ": "1"})


def test_variables_that_are_not_settings_pass(tmp_path: Path) -> None:
    file = tmp_path / "settings.yml"
    file.write_text("min_words: 7\n")
    environ = {name: "x" for name in NOT_SETTINGS} | {"WIREHOUSE_SETTINGS": str(file), "PATH": "/bin"}
    assert load_settings(environ=environ).min_words == 7


def test_every_wirehouse_variable_the_project_uses_is_a_setting_or_allowed() -> None:
    """The allow-list stays complete: a new WIREHOUSE_* variable read by compose, the Makefile or
    the package must be a setting or be listed in NOT_SETTINGS, or every run would refuse it."""
    if not (ROOT / ".git").exists():
        pytest.skip("needs the git checkout to list the project's files")
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    used: set[str] = set()
    for name in listed.splitlines():
        path = ROOT / name
        if name.startswith(("tests/", "README", "wirehouse.egg-info/")) or not path.is_file():
            continue  # tests and prose spell wrong names on purpose
        used |= set(re.findall(r"WIREHOUSE_[A-Z][A-Z_]*[A-Z]", path.read_text(encoding="utf-8", errors="ignore")))
    settings = {f"WIREHOUSE_{f.name.upper()}" for f in fields(Settings)}
    assert "WIREHOUSE_HOST_DELAY" in used and "WIREHOUSE_CONFIG_DIR" in used
    assert used - settings - NOT_SETTINGS == set()


# --- settings files that cannot be read ---


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("- host_delay: 0\n", "holds a list, not a mapping"),
        ("just words\n", "holds a single value ('just words'), not a mapping"),
        ("host_delay: [1\n", "is not valid YAML: "),
        (b"host_delay: \xff\xfe\n", "is not UTF-8 text"),
    ],
)
def test_a_file_that_is_not_settings_is_one_line_naming_it(tmp_path: Path, text: str | bytes, says: str) -> None:
    file = tmp_path / "settings.yml"
    file.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(SettingsError) as error:
        load_settings(file, environ={})
    message = str(error.value)
    assert message.startswith(f"settings file {file} ") and says in message
    assert "\n" not in message


def test_a_missing_file_named_by_the_variable_says_so(tmp_path: Path) -> None:
    missing = tmp_path / "nosuch.yml"
    with pytest.raises(SettingsError) as error:
        load_settings(environ={"WIREHOUSE_SETTINGS": str(missing)})
    assert str(error.value) == f"settings file {missing} (WIREHOUSE_SETTINGS) does not exist"


def test_invalid_yaml_says_where(tmp_path: Path) -> None:
    file = tmp_path / "settings.yml"
    file.write_text("min_words: 3\nhost_delay: [1\n")
    with pytest.raises(SettingsError, match=r"line \d+, column \d+$"):
        load_settings(file, environ={})


# --- the settings object built in code keeps its API and its checks ---


def test_settings_built_in_code_are_checked_too() -> None:
    with pytest.raises(SettingsError, match=r"setting part_size .* got 0 from Settings\(\.\.\.\)$"):
        Settings(part_size=0)
    with pytest.raises(SettingsError, match=r"got -1 from Settings\.replace\(\.\.\.\)$"):
        Settings().replace(host_delay=-1)
    with pytest.raises(SettingsError, match="unknown setting 'host_dealy' .*did you mean 'host_delay'"):
        Settings().replace(host_dealy=0)


def test_settings_stay_a_frozen_dataclass_that_coerces(tmp_path: Path) -> None:
    settings = Settings(home=str(tmp_path)).replace(host_delay="0", allow_private="yes")  # type: ignore[arg-type]
    assert settings.home == tmp_path and settings.host_delay == 0.0 and settings.allow_private is True
    assert settings.path("warehouse") == settings.warehouse_path == tmp_path / "wirehouse.duckdb"
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.host_delay = 5  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(settings)) == settings  # stages send it to worker processes


def test_every_rule_names_a_setting_and_the_defaults_keep_them() -> None:
    names = {f.name for f in fields(Settings)}
    assert set(_RULES) <= names
    assert load_settings(environ={}) == Settings()
