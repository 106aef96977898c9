"""docker-compose.yml validates offline and has the shape the README promises.

Needs Compose v1's ``docker-compose`` (Debian's package, 1.29; ``.ci/run`` installs it), which
checks a file with ``config`` and no Docker engine; skipped with a message where it is absent.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
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


@pytest.fixture(scope="module")
def config(compose) -> dict:
    done = _config(compose, EXAMPLE)
    assert done.returncode == 0, done.stderr
    return yaml.safe_load(done.stdout)


def test_compose_file_validates_offline_with_the_example_env(compose) -> None:
    done = _config(compose, EXAMPLE, "-q")
    assert done.returncode == 0, done.stderr


def test_compose_refuses_to_start_without_secrets(compose, tmp_path) -> None:
    empty = tmp_path / "empty.env"
    empty.write_text("")
    done = _config(compose, empty, "-q")
    assert done.returncode != 0
    assert "in .env" in done.stderr, done.stderr


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
        assert values[name] in ("", "change-me"), name
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert ".env" in ignored, "the real .env must stay out of the image"


def test_dockerfile_extends_the_official_image_with_the_lock() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^ARG AIRFLOW_IMAGE=apache/airflow:3\.3\.0-python3\.11$", text, re.M)
    assert re.search(r"^FROM \$\{AIRFLOW_IMAGE\}$", text, re.M)
    assert "-r requirements.lock" in text
