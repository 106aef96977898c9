"""docker-compose.yml validates offline, is secure by default, and has the shape the README promises.

Needs Compose v1's ``docker-compose`` (Debian's package, 1.29; ``.ci/run`` installs it), which
checks a file with ``config`` and no Docker engine; skipped with a message where it is absent.
The secret check that ``airflow-init`` runs (``deploy/check_secrets.py``) is tested directly.
"""

from __future__ import annotations

import importlib.util
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
CHECK_SECRETS = ROOT / "deploy" / "check_secrets.py"
COMPOSE = ROOT / "docker-compose.yml"
EXAMPLE = ROOT / ".env.example"
AIRFLOW_SERVICES = {
    "airflow-init",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
}
SHARED_VOLUMES = {
    "wirehouse-warehouse": "/opt/wirehouse/data/warehouse",
    "wirehouse-raw": "/opt/wirehouse/data/raw",
    "wirehouse-staging": "/opt/wirehouse/data/staging",
    "wirehouse-reports": "/opt/wirehouse/data/reports",
}
SECRETS = (
    "POSTGRES_PASSWORD",
    "AIRFLOW_FERNET_KEY",
    "AIRFLOW_JWT_SECRET",
    "AIRFLOW_API_SECRET_KEY",
    "AIRFLOW_ADMIN_PASSWORD",
)


@pytest.fixture(scope="module")
def compose() -> str:
    found = shutil.which("docker-compose") or str(ROOT / ".venv-compose" / "bin" / "docker-compose")
    if not Path(found).exists():
        pytest.skip("needs docker-compose (Compose v1) to validate docker-compose.yml: apt-get install docker-compose")
    return found


def _config(compose: str, env_file: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # a bare environment, so neither the caller's variables nor a local .env decide the outcome
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(
        [compose, "--env-file", str(env_file), "-f", str(COMPOSE), "config", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


def _generated() -> dict[str, str]:
    """Every secret made the way .env.example's comments say."""
    values = {name: secrets.token_urlsafe(32) for name in SECRETS}
    values["AIRFLOW_FERNET_KEY"] = Fernet.generate_key().decode()
    return values


def _env_file(path: Path, **values: str) -> Path:
    """.env.example with ``values`` in place of its lines of the same names."""
    lines = []
    for line in EXAMPLE.read_text().splitlines():
        name = line.split("=", 1)[0]
        lines.append(f"{name}={values.pop(name)}" if not line.startswith("#") and name in values else line)
    path.write_text("\n".join([*lines, *(f"{k}={v}" for k, v in values.items())]) + "\n")
    return path


@pytest.fixture(scope="module")
def config(compose, tmp_path_factory) -> dict:
    done = _config(compose, _env_file(tmp_path_factory.mktemp("env") / ".env", **_generated()))
    assert done.returncode == 0, done.stderr
    return yaml.safe_load(done.stdout)


def test_compose_validates_offline_with_generated_secrets(compose, tmp_path) -> None:
    done = _config(compose, _env_file(tmp_path / ".env", **_generated()), "-q")
    assert done.returncode == 0, done.stderr


def test_compose_refuses_the_example_env_as_it_is(compose) -> None:
    done = _config(compose, EXAMPLE, "-q")
    assert done.returncode != 0, "the example's secrets must not be usable as they are"
    assert "set POSTGRES_PASSWORD in .env" in done.stderr, done.stderr


@pytest.mark.parametrize("missing", SECRETS)
def test_compose_names_each_missing_secret(compose, tmp_path, missing) -> None:
    done = _config(compose, _env_file(tmp_path / ".env", **{**_generated(), missing: ""}), "-q")
    assert done.returncode != 0, f"compose started without {missing}"
    assert f"set {missing} in .env" in done.stderr, done.stderr


def test_compose_refuses_to_start_without_secrets(compose, tmp_path) -> None:
    empty = tmp_path / "empty.env"
    empty.write_text("")
    done = _config(compose, empty, "-q")
    assert done.returncode != 0
    assert "in .env" in done.stderr, done.stderr


def _published(service: dict) -> list[tuple[str, str, str]]:
    """(host ip, host port, container port) of each published port, in either of compose's spellings."""
    found = []
    for port in service.get("ports", []):
        if isinstance(port, dict):
            found.append((port.get("host_ip", ""), str(port.get("published", "")), str(port["target"])))
        else:
            parts = str(port).rsplit(":", 2)
            found.append((parts[0] if len(parts) == 3 else "", parts[-2], parts[-1].split("/")[0]))
    return found


def test_the_ui_port_is_published_on_loopback_only(config) -> None:
    assert _published(config["services"]["airflow-apiserver"]) == [("127.0.0.1", "8080", "8080")]


def test_the_operator_opts_in_to_other_interfaces(compose, tmp_path) -> None:
    env = _env_file(tmp_path / ".env", **_generated(), AIRFLOW_UI_BIND="0.0.0.0", AIRFLOW_UI_PORT="9090")
    done = _config(compose, env)
    assert done.returncode == 0, done.stderr
    service = yaml.safe_load(done.stdout)["services"]["airflow-apiserver"]
    assert _published(service) == [("0.0.0.0", "9090", "8080")]


def test_init_checks_the_secrets_and_every_other_service_waits_for_it(config) -> None:
    services = config["services"]
    init = services["airflow-init"]
    command = "\n".join(init["command"]) if isinstance(init["command"], list) else init["command"]
    assert "set -euo pipefail" in command
    assert command.index("deploy/check_secrets.py") < command.index("airflow db migrate"), "check first"
    for name in SECRETS:
        assert init["environment"][name], f"airflow-init does not see {name}"
    for name in AIRFLOW_SERVICES - {"airflow-init"}:
        assert services[name]["depends_on"]["airflow-init"] == {"condition": "service_completed_successfully"}, name
    fernet = services["airflow-scheduler"]["environment"]["AIRFLOW__CORE__FERNET_KEY"]
    assert fernet == init["environment"]["AIRFLOW_FERNET_KEY"]
    assert CHECK_SECRETS.exists()


def test_services_executor_and_published_ports(config) -> None:
    services = config["services"]
    assert {"postgres", "redis"} | AIRFLOW_SERVICES <= set(services)
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"airflow-apiserver"}, "only the UI port is published"
    for name in AIRFLOW_SERVICES:
        env = services[name]["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://"), name
        assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://redis:"), name
        assert services[name]["build"]["args"]["AIRFLOW_IMAGE"] == "apache/airflow:3.3.0-python3.11"
    worker = services["airflow-worker"]
    assert "celery worker" in str(worker["command"])
    assert "container_name" not in worker, "a fixed name would stop --scale airflow-worker=N"


def test_every_airflow_service_mounts_the_shared_warehouse_and_staging(config) -> None:
    for name in AIRFLOW_SERVICES:
        mounts = {}
        for volume in config["services"][name]["volumes"]:
            source, target = (volume["source"], volume["target"]) if isinstance(volume, dict) else volume.split(":")[:2]
            mounts[source] = target
        for volume, target in SHARED_VOLUMES.items():
            assert mounts.get(volume) == target, (name, volume)
        env = config["services"][name]["environment"]
        assert env["WIREHOUSE_WAREHOUSE"].startswith(SHARED_VOLUMES["wirehouse-warehouse"] + "/")
    assert set(SHARED_VOLUMES) <= set(config["volumes"])


def test_the_example_env_holds_no_real_secret() -> None:
    values = dict(
        line.split("=", 1) for line in EXAMPLE.read_text().splitlines() if line.strip() and not line.startswith("#")
    )
    for name in SECRETS:
        assert values[name] == "", f"{name} must be empty in .env.example, not a shared placeholder"
    for name in SECRETS:
        assert re.search(rf"^# python3 -c .*\n{name}=$", EXAMPLE.read_text(), re.M), f"how to generate {name}"
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert ".env" in ignored, "the real .env must stay out of the image"


def test_dockerfile_extends_the_official_image_with_the_lock() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^ARG AIRFLOW_IMAGE=apache/airflow:3\.3\.0-python3\.11$", text, re.M)
    assert re.search(r"^FROM \$\{AIRFLOW_IMAGE\}$", text, re.M)
    assert "-r requirements.lock" in text


# -- deploy/check_secrets.py, the check airflow-init runs ----------------------------------------


@pytest.fixture(scope="module")
def check_secrets():
    """The script as a module (deploy/ is a folder of scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("check_secrets", CHECK_SECRETS)
    assert spec and spec.loader and CHECK_SECRETS.exists(), f"{CHECK_SECRETS} is missing"
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_check_secrets_accepts_generated_values(check_secrets) -> None:
    assert check_secrets.problems(_generated()) == []


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("POSTGRES_PASSWORD", "change-me", "placeholder"),
        ("AIRFLOW_JWT_SECRET", "CHANGEME", "placeholder"),
        ("AIRFLOW_API_SECRET_KEY", "secret", "placeholder"),
        ("AIRFLOW_ADMIN_PASSWORD", "admin", "placeholder"),
        ("AIRFLOW_ADMIN_PASSWORD", "Airflow", "placeholder"),
        ("POSTGRES_PASSWORD", "password", "placeholder"),
        ("AIRFLOW_JWT_SECRET", "change-me-please-0123456789", "placeholder"),
        ("AIRFLOW_ADMIN_PASSWORD", "s3cr3t-Pw", "at least 16"),
        ("POSTGRES_PASSWORD", "a" * 40, "too few characters"),
        ("AIRFLOW_FERNET_KEY", "change-me", "not a Fernet key"),
        ("AIRFLOW_FERNET_KEY", "bm90LWEtZmVybmV0LWtleQ==", "not 32"),  # 16 bytes
        ("AIRFLOW_FERNET_KEY", "", "empty"),
        ("AIRFLOW_ADMIN_PASSWORD", "", "empty"),
    ],
)
def test_check_secrets_rejects_weak_values(check_secrets, name, value, reason) -> None:
    found = check_secrets.problems({**_generated(), name: value})
    assert len(found) == 1 and found[0].startswith(f"{name} ") and reason in found[0], found


def test_check_secrets_rejects_one_value_for_two_secrets(check_secrets) -> None:
    values = _generated()
    values["AIRFLOW_API_SECRET_KEY"] = values["AIRFLOW_JWT_SECRET"]
    assert check_secrets.problems(values) == [
        "AIRFLOW_API_SECRET_KEY is the same as AIRFLOW_JWT_SECRET; generate each one separately"
    ]


def _run_check(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    return subprocess.run(
        [sys.executable, str(CHECK_SECRETS), *args], env={**base, **env}, capture_output=True, text=True
    )


def test_check_secrets_script_exits_nonzero_with_one_line_per_bad_secret(tmp_path) -> None:
    done = _run_check({**_generated(), "POSTGRES_PASSWORD": "change-me", "AIRFLOW_FERNET_KEY": "x" * 44})
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 2, done.stderr
    assert "POSTGRES_PASSWORD is a placeholder" in lines[0] and "AIRFLOW_FERNET_KEY is not a Fernet key" in lines[1]
    assert _run_check(_generated()).returncode == 0
    done = _run_check({}, "--env-file", str(EXAMPLE))
    assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == len(SECRETS), done.stderr
    good = _run_check({}, "--env-file", str(_env_file(tmp_path / ".env", **_generated())))
    assert good.returncode == 0, good.stderr
