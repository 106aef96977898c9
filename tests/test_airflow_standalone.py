"""``make airflow`` from a fresh clone: starts without the venv on PATH, listens on 127.0.0.1 only
(the API and every other listening socket of its processes, log servers included), writes the
admin password where the README says, and SIGTERM leaves no process behind.

Runs the real ``python -m extract.airflow_env standalone`` (what ``make airflow`` runs) with a
PATH that has no ``airflow`` on it, as a shell that never activated the venv has, and a fresh
AIRFLOW_HOME under tmp_path.  Loopback only: the API is asked on 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

pytestmark = pytest.mark.airflow

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 240.0  # a fresh SQLite metadata database is migrated first
STOP_TIMEOUT = 60.0  # the wrapper's grace (30 s) and then some
LISTEN_SAMPLES = 5  # seconds the listening sockets are watched once the components are up


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _listeners() -> dict[int, tuple[Address, int]]:
    """Every listening TCP socket of this network namespace, by inode: (address, port),
    from ``/proc/net/tcp{,6}``."""
    found: dict[int, tuple[Address, int]] = {}
    for table in ("tcp", "tcp6"):
        path = Path("/proc/net") / table
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] != "0A":  # 0A: LISTEN
                continue
            address, hex_port = fields[1].split(":")
            raw = bytes.fromhex(address)  # each 32-bit word in host (little-endian) order
            ip = ipaddress.ip_address(b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4)))
            found[int(fields[9])] = (ip, int(hex_port, 16))
    return found


def _listening(port: int) -> list[Address]:
    """The local addresses with a TCP socket listening on ``port``."""
    return [ip for ip, p in _listeners().values() if p == port]


def _socket_inodes(pid: int) -> set[int]:
    """The inodes of the sockets process ``pid`` holds open (``/proc/<pid>/fd/* -> socket:[N]``)."""
    inodes = set()
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:  # gone, or not ours
        return inodes
    for fd in fds:
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[len("socket:[") : -1]))
    return inodes


def _group_listeners(processes: list[psutil.Process]) -> dict[str, list[tuple[Address, int]]]:
    """The listening TCP sockets each of ``processes`` holds: ``"pid: command" -> [(address, port)]``."""
    table = _listeners()
    held: dict[str, list[tuple[Address, int]]] = {}
    for process in processes:
        mine = [table[inode] for inode in _socket_inodes(process.pid) if inode in table]
        if mine:
            held[_describe([process])] = mine
    return held


def _is_loopback(address: Address) -> bool:
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback


def _running(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _in_sessions(sessions: set[int]) -> list[psutil.Process]:
    """Live processes whose session is one of ``sessions``."""
    found = []
    for process in psutil.process_iter():
        try:
            if os.getsid(process.pid) in sessions and _running(process):
                found.append(process)
        except (ProcessLookupError, PermissionError):
            continue
    return found


def _describe(processes: list[psutil.Process]) -> str:
    lines = []
    for process in processes:
        try:
            lines.append(f"{process.pid}: {' '.join(process.cmdline())[:160]}")
        except psutil.Error:
            lines.append(f"{process.pid}: (gone)")
    return "\n".join(lines)


def test_make_airflow_starts_without_the_venv_on_path_binds_loopback_and_stops_cleanly(tmp_path) -> None:
    port = _free_port()
    venv_bin = Path(sys.executable).parent
    path = os.pathsep.join(
        p for p in os.environ.get("PATH", "/usr/bin:/bin").split(os.pathsep) if p and Path(p) != venv_bin
    )
    assert shutil.which("airflow", path=path) is None, "the test needs a PATH without airflow on it"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "WIREHOUSE_", "VIRTUAL_ENV"))}
    env.update(
        PATH=path,
        WIREHOUSE_HOME=str(tmp_path / "home"),
        WIREHOUSE_AIRFLOW_HOME=str(tmp_path / "airflow"),
        AIRFLOW__API__PORT=str(port),  # read by the wrapper (and by Airflow itself on the old code)
    )
    log_path = tmp_path / "standalone.log"
    with log_path.open("wb") as log:
        wrapper = subprocess.Popen(
            [sys.executable, "-m", "extract.airflow_env", "standalone"],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    seen: dict[int, psutil.Process] = {}
    sessions = {wrapper.pid}

    def tail() -> str:
        return "\n".join(log_path.read_text(errors="replace").splitlines()[-30:])

    try:
        # 1. it comes up, with no airflow on PATH
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert wrapper.poll() is None, f"standalone exited with {wrapper.returncode}:\n{tail()}"
            for process in psutil.Process(wrapper.pid).children(recursive=True):
                seen[process.pid] = process
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/api/v2/monitor/health", timeout=5).json()
                if all(health[c]["status"] == "healthy" for c in ("scheduler", "triggerer", "dag_processor")):
                    break
            except (httpx.HTTPError, ValueError, KeyError, TypeError):  # not up yet
                health = None
            assert time.monotonic() < deadline, (
                f"not healthy on 127.0.0.1:{port} after {START_TIMEOUT:.0f} s ({health}):\n{tail()}"
            )
            time.sleep(1)
        time.sleep(3)  # let every component start its own children
        for process in psutil.Process(wrapper.pid).children(recursive=True):
            seen[process.pid] = process
        names = " ".join(" ".join(p.cmdline()) for p in seen.values() if _running(p)).replace("_", "-")
        for component in ("scheduler", "dag-processor", "api-server", "triggerer"):
            assert component in names, f"{component} is not running: {names}"

        # 2. on this machine only: the API, and every socket any of its processes listens on
        addresses = _listening(port)
        assert addresses, f"nothing listens on {port}"
        assert all(_is_loopback(a) for a in addresses), f"the API listens on {addresses}, not only on loopback"
        sessions |= {os.getsid(p.pid) for p in seen.values() if _running(p)}
        for _ in range(LISTEN_SAMPLES):  # a component may open its listener a little after starting
            held = _group_listeners(_in_sessions(sessions))
            ports = {p for sockets in held.values() for _, p in sockets}
            assert port in ports, f"the API's socket was not found among the processes' sockets: {held}"
            exposed = {who: s for who, s in held.items() if not all(_is_loopback(ip) for ip, _ in s)}
            assert not exposed, f"listening beyond loopback: {exposed}"
            time.sleep(1)
        password_file = tmp_path / "airflow" / "simple_auth_manager_passwords.json.generated"
        assert "admin" in json.loads(password_file.read_text()), f"no admin password in {password_file}"

        # 3. SIGTERM stops every process it started
        sessions |= {os.getsid(p.pid) for p in seen.values() if _running(p)}
        wrapper.send_signal(signal.SIGTERM)
        wrapper.wait(timeout=STOP_TIMEOUT)
        deadline = time.monotonic() + 10
        while (
            left := [p for p in seen.values() if _running(p)] + _in_sessions(sessions)
        ) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not left, f"{len(left)} processes outlived the stop:\n{_describe(left)}"
    finally:  # whatever happened, leave nothing running
        for process in [*seen.values(), *_in_sessions(sessions)]:
            try:
                process.kill()
            except psutil.Error:
                pass
        if wrapper.poll() is None:
            os.killpg(wrapper.pid, signal.SIGKILL)
            wrapper.wait()
