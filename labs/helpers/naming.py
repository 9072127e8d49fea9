"""Resource names and tags: unique per lab and per learner, findable by a sweep.

Every lab resource is called ``sc-<learner>-<lab code>-<base>`` and tagged with
:data:`COURSE_TAG` so that two students sharing one AWS account never collide, a lab's teardown
finds what its student created, and a sweep finds whatever any lab left behind.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import re
import socket

from .errors import LabError

NAME_ROOT = "sc-"
COURSE_TAG = ("securecart:course", "event-driven-labs")
LAB_TAG = "securecart:lab"
OWNER_TAG = "securecart:owner"
USER_ENV = "LABS_USER"
#: Login names that many people share (containers, Binder, lab images): made unique by a host hash.
SHARED_LOGINS = {"root", "jovyan", "ubuntu", "user", "student", "vscode", "codespace", "ec2-user"}


def learner_id() -> str:
    """A short, stable, name-safe id for the person running the lab.

    ``LABS_USER`` wins (instructors set it per student; CI sets it for stable outputs). Otherwise the
    login name, plus a 4-character hash of the host where the login is one many people share.
    """
    explicit = os.environ.get(USER_ENV, "").strip()
    raw = explicit or getpass.getuser()
    cleaned = re.sub(r"[^a-z0-9]", "", raw.lower())[:12] or "learner"
    if explicit:
        if cleaned != raw.lower():
            raise LabError(
                f"{USER_ENV}='{raw}' can not be used in AWS resource names.",
                f"Use 1-12 lowercase letters and digits, e.g. {USER_ENV}={cleaned or 'alice'}.",
            )
        return cleaned
    if cleaned in SHARED_LOGINS:
        digest = hashlib.sha1(f"{socket.gethostname()}/{raw}".encode()).hexdigest()[:4]
        cleaned = f"{cleaned[:7]}{digest}"
    return cleaned


def lab_prefix(lab_code: str, learner: str) -> str:
    return f"{NAME_ROOT}{learner}-{lab_code}-"


def lab_tags(lab_name: str, learner: str) -> dict[str, str]:
    return {COURSE_TAG[0]: COURSE_TAG[1], LAB_TAG: lab_name, OWNER_TAG: learner}


# AWS naming rules for the resources the labs create (from each service's API reference).
_SQS_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


def validate_queue_name(name: str, *, fifo: bool) -> None:
    """Check an SQS queue name the way SQS will, but with a message that names the fix."""
    base = name.removesuffix(".fifo")
    if fifo and not name.endswith(".fifo"):
        raise LabError(
            f"FIFO queue name '{name}' does not end in '.fifo'.",
            f"SQS requires FIFO queue names to end in .fifo: use '{name}.fifo'.",
        )
    if not fifo and name.endswith(".fifo"):
        raise LabError(
            f"Queue name '{name}' ends in '.fifo' but the queue is not FIFO.",
            "Either pass fifo=True (FifoQueue='true') or drop the '.fifo' suffix.",
        )
    if len(name) > 80 or not _SQS_NAME.match(base):
        raise LabError(
            f"'{name}' is not a valid SQS queue name.",
            "Use at most 80 characters: letters, digits, hyphens and underscores "
            "(plus the .fifo suffix for FIFO queues).",
        )
