"""The environment of the embedded Airflow: SQLite metadata under a project-local AIRFLOW_HOME.

Used by ``wirehouse demo``, ``make airflow`` and the tests to run the real DAGs in ``dags/``
without touching a user's own Airflow installation.  Nothing here imports Airflow.
``make airflow`` (``main``) runs what ``airflow standalone`` runs -- api-server, scheduler,
dag-processor and triggerer -- as one session of children listening on 127.0.0.1 only, and stops
all of it on Ctrl-C or SIGTERM (``run_group`` around ``supervise``).

``CeleryCluster`` runs the distributed configuration on one machine without containers:
CeleryExecutor, a PostgreSQL metadata database, a Redis broker, and the scheduler,
dag-processor, api-server and Celery workers as processes (``tests/test_distributed.py``,
``python -m extract.bench_workers``); ``docker-compose.yml`` runs the same across containers.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Mapping, Sequence

from extract.settings import PROJECT_ROOT, Settings

__all__ = [
    "POOL",
    "CeleryCluster",
    "airflow",
    "airflow_env",
    "celery_env",
    "prepare_airflow",
    "run_group",
    "standalone_commands",
    "standalone_env",
    "supervise",
    "worker_hostname",
]

POOL = "wirehouse_warehouse"  # one slot: DuckDB takes one writer at a time


def airflow_env(settings: Settings, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """``os.environ`` plus what points Airflow at this project and the settings at this run."""
    home = Path(settings.airflow_home)
    env = dict(os.environ)
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "120",
            "AIRFLOW__COSMOS__CACHE_DIR": str(home / "cosmos"),
            "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",  # no network beyond the sources
            "DO_NOT_TRACK": "1",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
            "WIREHOUSE_HOME": str(settings.home),
            "WIREHOUSE_WAREHOUSE": str(settings.warehouse_path),
            "WIREHOUSE_SOURCES": str(settings.path("sources")),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])),
        }
    )
    env.update(extra or {})
    return env


def _airflow_bin() -> str:
    beside = Path(sys.executable).with_name("airflow")
    return str(beside) if beside.exists() else (shutil.which("airflow") or "airflow")


def airflow(
    args: Sequence[str], env: Mapping[str, str], check: bool = True, capture: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run the ``airflow`` command of this interpreter's environment."""
    return subprocess.run(
        [_airflow_bin(), *args],
        env=dict(env),
        check=check,
        text=True,
        capture_output=capture,
        cwd=PROJECT_ROOT,
    )


def prepare_airflow(env: Mapping[str, str]) -> None:
    """Create or migrate the metadata database and the warehouse pool (both idempotent)."""
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    airflow(["db", "migrate"], env, capture=True)
    airflow(["pools", "set", POOL, "1", "DuckDB takes one writer at a time"], env, capture=True)


WORKER_NAME_VAR = "WIREHOUSE_WORKER_NAME"


def worker_hostname() -> str:
    """The host name Airflow records for a task: ``WIREHOUSE_WORKER_NAME`` when set, else the FQDN.

    Set as ``[core] hostname_callable``, it tells apart several workers on one machine.
    """
    return os.environ.get(WORKER_NAME_VAR) or socket.getfqdn()


def celery_env(
    settings: Settings,
    database_url: str,
    broker_url: str,
    api_url: str,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """``airflow_env`` plus CeleryExecutor: PostgreSQL metadata, a Redis broker, the api-server's
    execution API (where workers report), and one JWT secret shared by every component."""
    import secrets

    result_backend = "db+" + database_url.replace("postgresql+psycopg2://", "postgresql://", 1)
    values = {
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CORE__PARALLELISM": "8",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": database_url,
        "AIRFLOW__CELERY__BROKER_URL": broker_url,
        "AIRFLOW__CELERY__RESULT_BACKEND": result_backend,
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": "1",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{api_url.rstrip('/')}/execution/",
        "AIRFLOW__CORE__HOSTNAME_CALLABLE": "extract.airflow_env.worker_hostname",
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(64),
        "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
    }
    return airflow_env(settings, {**values, **(extra or {})})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class CeleryCluster:
    """Airflow on CeleryExecutor as local processes, each in its own process group.

    ``start`` creates the metadata database (dropped again by ``stop``), empties the broker's
    Redis database, migrates, and starts the api-server, scheduler and dag-processor;
    ``start_worker`` adds Celery workers.  Use it as a context manager: leaving it stops every
    process it started (SIGTERM to each group, SIGKILL to what is left), even after a failure.
    """

    def __init__(
        self,
        settings: Settings,
        database: str,
        *,
        postgres: str = "postgresql://postgres@127.0.0.1:5432",
        redis: str = "redis://127.0.0.1:6379",
        redis_db: int = 11,
        extra_env: Mapping[str, str] | None = None,
    ) -> None:
        self.postgres = postgres.rstrip("/")
        self.database = database
        self.broker_url = f"{redis.rstrip('/')}/{redis_db}"
        self.api_port = free_port()
        self.api_url = f"http://127.0.0.1:{self.api_port}"
        database_url = self.postgres.replace("postgresql://", "postgresql+psycopg2://", 1) + f"/{database}"
        self.env = celery_env(settings, database_url, self.broker_url, self.api_url, extra_env)
        self.log_dir = Path(self.env["AIRFLOW_HOME"]) / "cluster-logs"
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self._created = False

    # -- the services it needs ------------------------------------------------------------------

    def unavailable(self) -> str | None:
        """Why the cluster cannot run here (PostgreSQL or Redis not reachable), or None."""
        try:
            import psycopg2
            import redis
        except ImportError as error:
            return f"needs psycopg2 and redis ({error})"
        try:
            psycopg2.connect(f"{self.postgres}/postgres", connect_timeout=3).close()
        except psycopg2.Error as error:
            return f"PostgreSQL not reachable at {self.postgres}: {str(error).strip()}"
        try:
            redis.Redis.from_url(self.broker_url, socket_connect_timeout=3).ping()
        except redis.RedisError as error:
            return f"Redis not reachable at {self.broker_url}: {error}"
        return None

    def _admin(self, sql: str) -> None:
        import psycopg2

        con = psycopg2.connect(f"{self.postgres}/postgres", connect_timeout=5)
        try:
            con.autocommit = True
            con.cursor().execute(sql)
        finally:
            con.close()

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of one query on the metadata database."""
        import psycopg2

        con = psycopg2.connect(f"{self.postgres}/{self.database}", connect_timeout=5)
        try:
            with con, con.cursor() as cur:
                cur.execute(sql, tuple(params))
                return list(cur.fetchall())
        finally:
            con.close()

    def _flush_broker(self) -> None:
        import redis

        redis.Redis.from_url(self.broker_url).flushdb()

    # -- processes -------------------------------------------------------------------------------

    def start(self) -> CeleryCluster:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._admin(f'drop database if exists "{self.database}" with (force)')
        self._admin(f'create database "{self.database}"')
        self._created = True
        self._flush_broker()
        prepare_airflow(self.env)
        self.spawn("api-server", ["api-server", "--host", "127.0.0.1", "--port", str(self.api_port), "--workers", "1"])
        self.spawn("scheduler", ["scheduler"])
        self.spawn("dag-processor", ["dag-processor"])
        return self

    def spawn(self, name: str, args: Sequence[str], extra: Mapping[str, str] | None = None) -> None:
        """Start ``airflow ARGS`` in its own process group, its output in ``<log_dir>/<name>.log``."""
        if name in self.processes and self.processes[name].poll() is None:
            raise RuntimeError(f"{name} is already running")
        with (self.log_dir / f"{name}.log").open("ab") as log:
            self.processes[name] = subprocess.Popen(
                [_airflow_bin(), *args],
                env={**self.env, **(extra or {})},
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=PROJECT_ROOT,
                start_new_session=True,
            )

    def start_worker(self, name: str, concurrency: int = 1) -> None:
        """A Celery worker whose tasks report ``name`` as their host (``task_instance.hostname``)."""
        args = ["celery", "worker", "--concurrency", str(concurrency), "--celery-hostname", f"{name}@%h"]
        args += ["--skip-serve-logs", "--without-gossip", "--without-mingle"]
        self.spawn(name, args, {WORKER_NAME_VAR: name, "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO"})

    def kill(self, name: str, sig: int = signal.SIGKILL, grace: float = 15.0) -> None:
        """Send ``sig`` to a process's whole group (the worker and its task processes)."""
        process = self.processes[name]
        _signal_group(process.pid, sig)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            _signal_group(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        if sig != signal.SIGKILL:
            _signal_group(process.pid, signal.SIGKILL)  # what the leader left behind

    def stop(self) -> None:
        """Stop every process (workers first), drop the metadata database, empty the broker."""
        workers = [n for n in self.processes if n not in ("api-server", "scheduler", "dag-processor")]
        for name in [*workers, "scheduler", "dag-processor", "api-server"]:
            if name in self.processes:
                self.kill(name, signal.SIGTERM, grace=15.0)
        if self._created:
            try:
                self._admin(f'drop database if exists "{self.database}" with (force)')
                self._flush_broker()
            except Exception:  # cleanup must not hide the caller's own failure
                pass
            self._created = False

    def __enter__(self) -> CeleryCluster:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def alive(self) -> dict[str, bool]:
        return {name: process.poll() is None for name, process in self.processes.items()}

    def log_tail(self, name: str, lines: int = 40) -> str:
        path = self.log_dir / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    # -- Airflow ---------------------------------------------------------------------------------

    def wait_until_ready(self, dag_id: str, timeout: float = 240.0) -> None:
        """Wait for the api-server to answer, the scheduler to be healthy and ``dag_id`` parsed."""
        import httpx

        deadline = time.monotonic() + timeout
        while True:
            dead = [name for name, up in self.alive().items() if not up]
            if dead:
                raise RuntimeError(f"{dead} exited:\n" + "\n".join(self.log_tail(n) for n in dead))
            try:
                health = httpx.get(f"{self.api_url}/api/v2/monitor/health", timeout=5).json()
                parsed = self.query("select count(*) from serialized_dag where dag_id = %s", [dag_id])[0][0]
                if health["scheduler"]["status"] == "healthy" and parsed:
                    return
            except Exception:  # not up yet
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"Airflow not ready after {timeout:.0f} s; logs in {self.log_dir}")
            time.sleep(2)

    def trigger(self, dag_id: str, logical_date: str, run_id: str) -> None:
        airflow(["dags", "unpause", dag_id], self.env, capture=True)
        airflow(["dags", "trigger", dag_id, "--logical-date", logical_date, "--run-id", run_id], self.env, capture=True)

    def run_state(self, dag_id: str, run_id: str) -> str | None:
        rows = self.query("select state from dag_run where dag_id = %s and run_id = %s", [dag_id, run_id])
        return rows[0][0] if rows else None

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        columns = ("task_id", "map_index", "state", "try_number", "hostname", "queue", "start_date", "end_date")
        rows = self.query(
            f"select {', '.join(columns)} from task_instance where dag_id = %s and run_id = %s "
            "order by start_date nulls last, task_id, map_index",
            [dag_id, run_id],
        )
        return [dict(zip(columns, row, strict=True)) for row in rows]

    def wait_for_run(self, dag_id: str, run_id: str, timeout: float = 900.0) -> str:
        """Wait until the run succeeds or fails; return its state."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.run_state(dag_id, run_id)
            if state in ("success", "failed"):
                return state
            if time.monotonic() > deadline:
                raise TimeoutError(f"run {run_id} still {state} after {timeout:.0f} s; logs in {self.log_dir}")
            time.sleep(2)


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


STANDALONE_HOST = "127.0.0.1"  # a development server with a generated admin password: this machine only
STANDALONE_GRACE = 30.0  # seconds the components get to stop before the group is killed


SIMPLE_AUTH_MANAGER = "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"


def standalone_env(settings: Settings, port: int = 8080) -> dict[str, str]:
    """``airflow_env`` plus what the standalone components need from a fresh clone.

    A task runs as ``airflow ...`` by name, so this interpreter's bin folder (the venv's, never
    resolved through its symlink) goes first on PATH.  Like ``airflow standalone``, the
    LocalExecutor and the simple auth manager (whose api-server writes the admin's generated
    password to ``$AIRFLOW_HOME/simple_auth_manager_passwords.json.generated``); the api-server
    on 127.0.0.1 only, where Airflow's own default is every interface.
    """
    bin_dir = str(Path(sys.executable).parent)
    path = [bin_dir, *(p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != bin_dir)]
    return airflow_env(
        settings,
        {
            "PATH": os.pathsep.join(path),
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__AUTH_MANAGER": SIMPLE_AUTH_MANAGER,
            "AIRFLOW__API__HOST": STANDALONE_HOST,
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://{STANDALONE_HOST}:{port}/execution/",
        },
    )


def standalone_commands(port: int) -> dict[str, list[str]]:
    """The components ``airflow standalone`` starts, as ``airflow`` arguments, none listening beyond
    127.0.0.1.

    Not ``airflow standalone`` itself: its scheduler and triggerer each serve task logs on
    8793/8794 from every interface (Airflow 3.3's ``serve_logs`` hard-codes host ``""``, with no
    setting).  With the LocalExecutor on one machine the api-server reads a finished task's log
    from the local file the task wrote, so ``--skip-serve-logs`` loses nothing.
    """
    return {
        "api-server": ["api-server", "--host", STANDALONE_HOST, "--port", str(port)],
        "scheduler": ["scheduler", "--skip-serve-logs"],
        "dag-processor": ["dag-processor"],
        "triggerer": ["triggerer", "--skip-serve-logs"],
    }


def supervise(commands: Mapping[str, Sequence[str]], env: Mapping[str, str]) -> int:
    """Run each ``airflow ARGS`` of ``commands`` as a child of this process, until one ends or a
    signal comes; then stop the others and wait for them.

    The children stay in this process's group and session (``run_group`` makes it their leader),
    so one ``killpg`` reaches all of them.  SIGINT, SIGTERM or SIGHUP is passed on as SIGTERM;
    a component that ends by itself ends the lot, as nothing works without any one of them.
    Returns that component's status (1 if it was 0), or 128 + the signal.
    """
    received: list[int] = []

    def stop(signum: int, _frame: object) -> None:
        received.append(signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    children: dict[str, subprocess.Popen[bytes]] = {}
    ended: dict[str, int] = {}
    try:
        for name, args in commands.items():
            if not received:
                children[name] = subprocess.Popen(
                    [_airflow_bin(), *args],
                    env=dict(env),
                    cwd=PROJECT_ROOT,
                    stdin=subprocess.DEVNULL,
                    preexec_fn=_die_with_parent,
                )
        while not received:
            ended = {name: code for name, child in children.items() if (code := child.poll()) is not None}
            if ended:
                break
            time.sleep(0.5)
        for name, code in ended.items():
            print(f"airflow {name} exited with status {code}; stopping the rest", file=sys.stderr, flush=True)
        for child in children.values():
            if child.poll() is None:
                child.terminate()
        for child in children.values():
            child.wait()  # run_group kills the whole group after its grace period
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if received:
        return 128 + received[0]
    return next(iter(ended.values())) or 1


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM it if this process dies, even by SIGKILL (Linux only)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _group_alive(pgid: int) -> bool:
    """Whether a process of group ``pgid`` still runs (zombies, already dead, do not count)."""
    import psutil

    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    for process in psutil.process_iter(["status"]):
        try:
            if os.getpgid(process.pid) == pgid and process.info["status"] != psutil.STATUS_ZOMBIE:
                return True
        except (ProcessLookupError, psutil.Error):
            continue
    return False


def run_group(argv: Sequence[str], env: Mapping[str, str], grace: float = STANDALONE_GRACE) -> int:
    """Run ``argv`` as the leader of its own session and leave no process of it behind.

    SIGINT, SIGTERM and SIGHUP are forwarded to the child's whole process group (a second one
    kills it); if the leader ends by itself, the rest of its group gets SIGTERM.  When the group
    is empty, or ``grace`` seconds later, SIGKILL goes to what is left of it and to every
    descendant seen while it ran, in case one started a session of its own.  ``os.execve``
    would leave Airflow's components running after a Ctrl-C (eleven of them, issue 16).
    Returns the child's exit status, or 128 + the signal that stopped it.
    """
    import psutil

    child = subprocess.Popen(
        list(argv),
        env=dict(env),
        cwd=PROJECT_ROOT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=_die_with_parent,
    )
    received: list[int] = []

    def forward(signum: int, _frame: object) -> None:
        _signal_group(child.pid, signal.SIGKILL if received else signum)
        received.append(signum)

    handled = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {sig: signal.signal(sig, forward) for sig in handled}
    seen: dict[int, psutil.Process] = {}
    try:
        while not received and child.poll() is None:
            seen.update({p.pid: p for p in _descendants(child.pid)})
            try:
                child.wait(timeout=2.0)
            except subprocess.TimeoutExpired:
                pass
        seen.update({p.pid: p for p in _descendants(child.pid)})
        if not received:  # the leader ended by itself: stop what it left
            _signal_group(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and (child.poll() is None or _group_alive(child.pid)):
            time.sleep(0.2)
    finally:
        _signal_group(child.pid, signal.SIGKILL)
        for process in seen.values():
            try:
                process.kill()  # psutil checks the pid still names the same process
            except psutil.Error:
                pass
        child.wait()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 128 + received[0] if received else child.returncode


def _descendants(pid: int) -> list[Any]:
    import psutil

    try:
        return list(psutil.Process(pid).children(recursive=True))
    except psutil.Error:
        return []


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m extract.airflow_env standalone``: the Airflow UI with this project's DAGs, on 127.0.0.1.

    ``standalone`` migrates the metadata database, then runs ``components`` (``supervise``, the
    leader of a session of its own) under ``run_group``, which stops the whole session.
    """
    import argparse

    from extract.settings import load_settings

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("command", choices=["standalone", "components"])
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("AIRFLOW__API__PORT") or 8080), help="the UI's port (8080)"
    )
    args = parser.parse_args(argv)
    env = standalone_env(load_settings(), args.port)
    if args.command == "components":
        return supervise(standalone_commands(args.port), env)
    prepare_airflow(env)
    print(
        f"Airflow UI on http://{STANDALONE_HOST}:{args.port} (AIRFLOW_HOME={env['AIRFLOW_HOME']}); "
        f"the admin password is in {env['AIRFLOW_HOME']}/simple_auth_manager_passwords.json.generated; "
        "Ctrl-C stops every component",
        flush=True,
    )
    return run_group([sys.executable, "-m", "extract.airflow_env", "components", "--port", str(args.port)], env)


if __name__ == "__main__":
    sys.exit(main())
