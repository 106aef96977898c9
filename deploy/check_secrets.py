"""Refuse weak secrets before the compose deployment starts anything.

Compose's ``${VAR:?}`` rejects only an empty value, so a ``change-me`` copied from an example
would pass it and give every installation the same JWT secret and passwords.  ``airflow-init``
runs this script first; it exits 1 with one line per bad secret, and every other Airflow service
waits for init to complete successfully, so none of them starts.  Operators can run it on the host
too (``python3 deploy/check_secrets.py --env-file .env``).  Standard library only, so it runs in
the image and on a bare host alike.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import os
import re
import sys
from pathlib import Path
from typing import Mapping, Sequence

__all__ = ["FERNET", "MIN_LENGTH", "PLACEHOLDERS", "SECRETS", "main", "problems", "read_env_file"]

FERNET = "AIRFLOW_FERNET_KEY"
SECRETS = ("POSTGRES_PASSWORD", FERNET, "AIRFLOW_JWT_SECRET", "AIRFLOW_API_SECRET_KEY", "AIRFLOW_ADMIN_PASSWORD")
MIN_LENGTH = 16  # token_urlsafe(32) gives 43 characters; a person's passphrase reaches 16 easily
# values seen in examples and tutorials, compared lower case with everything but letters and digits removed
PLACEHOLDERS = frozenset(
    {
        "changeme",
        "replaceme",
        "secret",
        "password",
        "admin",
        "airflow",
        "postgres",
        "example",
        "default",
        "test",
        "placeholder",
        "todo",
        "xxx",
        "none",
        "null",
    }
)
MARKERS = ("changeme", "replaceme", "placeholder", "yoursecret", "yourpassword")


def _fernet_problem(value: str) -> str | None:
    """Why ``value`` is not a Fernet key (urlsafe base64 of 32 bytes, as ``Fernet()`` demands), or None."""
    try:
        key = base64.urlsafe_b64decode(value.encode("ascii"))
    except (binascii.Error, ValueError):
        return "is not a Fernet key (not urlsafe base64)"
    if len(key) != 32:
        return f"is not a Fernet key (decodes to {len(key)} bytes, not 32)"
    return None


def _weakness(value: str) -> str | None:
    """Why ``value`` is too weak for a password or secret, or None."""
    folded = re.sub(r"[^a-z0-9]", "", value.lower())
    if folded in PLACEHOLDERS or any(marker in folded for marker in MARKERS):
        return "is a placeholder"
    if len(value) < MIN_LENGTH:
        return f"is {len(value)} characters long; needs at least {MIN_LENGTH}"
    if len(set(value)) < 8:
        return "repeats too few characters to be secret"
    return None


def problems(values: Mapping[str, str]) -> list[str]:
    """One line per missing, placeholder, short or malformed secret in ``values``; empty when all are good."""
    found = []
    for name in SECRETS:
        value = values.get(name, "")
        reason = "is empty" if not value else _fernet_problem(value) if name == FERNET else _weakness(value)
        if reason:
            found.append(f"{name} {reason}")
    jwt, api = values.get("AIRFLOW_JWT_SECRET"), values.get("AIRFLOW_API_SECRET_KEY")
    if not found and jwt == api:
        found.append("AIRFLOW_API_SECRET_KEY is the same as AIRFLOW_JWT_SECRET; generate each one separately")
    return found


def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=VALUE`` lines of a compose ``.env`` file: comments and blanks skipped, one level of quotes removed."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def main(argv: Sequence[str] | None = None) -> int:
    """Check the secrets in the environment (or ``--env-file``); exit 1 with one line per bad one."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--env-file", type=Path, help="read the secrets from this .env file instead of the environment")
    args = parser.parse_args(argv)
    values = read_env_file(args.env_file) if args.env_file else dict(os.environ)
    found = problems(values)
    for line in found:
        print(f"wirehouse: refusing to start: {line} (see .env.example for how to generate it)", file=sys.stderr)
    if not found:
        print("wirehouse: secrets checked")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
