"""``python -m labs sweep``: find (and, after confirmation, delete) every lab resource in an account.

For instructors and for anyone who used real AWS: labs tear down after themselves, but a crashed
kernel or a skipped last cell can leave resources that cost money. The sweep lists every resource
in the current account and region whose name starts with the course's name root (``sc-``), reads
its tags where the kind has them, and deletes only after an explicit confirmation.

It talks to whatever backend the environment selects (``LABS_BACKEND``, ``AWS_ENDPOINT_URL``), with
the same real-AWS opt-in as the notebooks: ``LABS_BACKEND=aws`` plus ``--aws-account``.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from functools import cache

from botocore.exceptions import ClientError

from . import inventory
from .backend import Backend, get_backend
from .errors import LabError
from .naming import COURSE_TAG, LAB_TAG, NAME_ROOT, OWNER_TAG


@dataclass(frozen=True)
class Found:
    resource: inventory.Resource
    lab: str  #: from the securecart:lab tag, or "?" where the kind has no tags
    owner: str
    matched_by: str  #: "tag" (course tag present), "name" (kind has no tags) or "name, untagged"


def find_leftovers(backend: Backend, *, learner: str | None = None) -> tuple[list[Found], dict[str, str]]:
    """Every course resource on ``backend`` (optionally of one learner), in deletion order."""
    root = f"{NAME_ROOT}{learner}-" if learner else NAME_ROOT
    client_for = cache(backend.client)
    listing = inventory.find(client_for, lambda _kind, name: name.startswith(root))
    found = []
    for resource in listing.resources:
        reader = inventory.KIND_BY_NAME[resource.kind].tags
        tags: dict[str, str] = {}
        if reader is not None:
            try:
                tags = reader(client_for, resource)
            except ClientError:
                tags = {}
        if tags.get(COURSE_TAG[0]) == COURSE_TAG[1]:
            how = "tag"
        else:
            how = "name" if reader is None else "name, untagged"
        found.append(Found(resource, tags.get(LAB_TAG, "?"), tags.get(OWNER_TAG, "?"), how))
    not_checked = {**listing.skipped, **{kind: f"could not list: {why}" for kind, why in listing.failed.items()}}
    return found, not_checked


def render(found: list[Found]) -> str:
    if not found:
        return "No SecureCart lab resources found."
    rows = [("kind", "name", "lab", "owner", "matched by")] + [
        (f.resource.kind, f.resource.name, f.lab, f.owner, f.matched_by) for f in found]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m labs sweep", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--yes", action="store_true", help="delete what is listed without asking")
    parser.add_argument("--learner", help="only this learner's resources (the id in sc-<learner>-...)")
    parser.add_argument("--region", help="region to sweep (default: AWS_REGION or us-east-1)")
    parser.add_argument("--aws-account", help="confirms the account when LABS_BACKEND=aws")
    args = parser.parse_args(argv)
    try:
        backend = get_backend(region=args.region, aws_account=args.aws_account)
        found, skipped = find_leftovers(backend, learner=args.learner)
    except LabError as err:
        print(err, file=sys.stderr)
        return 2
    print(f"Backend: {backend.describe()}")
    print(render(found))
    for kind, why in skipped.items():
        print(f"(not checked: {kind}: {why})")
    if not found:
        return 0
    if not args.yes:
        if not sys.stdin.isatty():
            print("Nothing deleted. Re-run with --yes to delete the resources listed above.")
            return 0
        if input(f"Delete these {len(found)} resources? Type 'delete' to confirm: ").strip() != "delete":
            print("Nothing deleted.")
            return 0
    report = inventory.delete_all(cache(backend.client), [f.resource for f in found])
    report.left = [f.resource for f in find_leftovers(backend, learner=args.learner)[0]]
    print(report.summary())
    return 1 if report.failed else 0

