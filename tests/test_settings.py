from pathlib import Path

import pytest

from extract.settings import load_settings


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
    with pytest.raises(ValueError):
        load_settings(environ=env)


def test_unknown_setting_in_file_is_an_error(tmp_path: Path) -> None:
    file = tmp_path / "wirehouse.yml"
    file.write_text("hots_delay: 1\n")
    with pytest.raises(ValueError, match="hots_delay"):
        load_settings(file, environ={})
