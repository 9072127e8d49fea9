"""Write ``docs/fidelity.md``: what plain moto, moto with our layer, and real AWS each do.

The table is generated, never hand-edited, so it cannot drift from the code: one row per patch in
:data:`~labs.helpers.emulator.PATCH_MODULES` (the order the layer applies them), built from the
patch's own ``restores`` (AWS's behaviour) and ``plain_moto`` texts and its module docstring's first
line; then the behaviour moto already gets right that the labs rely on, and the differences that
remain. A test fails when ``docs/fidelity.md`` is not what this module writes.

    python -m labs.helpers.emulator.fidelity            # print the Markdown
    python -m labs.helpers.emulator.fidelity --write    # (re)write docs/fidelity.md
    python -m labs.helpers.emulator.fidelity --check    # exit 1 if docs/fidelity.md is stale
"""

from __future__ import annotations

import argparse
import importlib
import sys
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

DOC_PATH = Path(__file__).resolve().parents[3] / "docs" / "fidelity.md"


@dataclass(frozen=True)
class Row:
    feature: str
    plain_moto: str
    with_layer: str
    real_aws: str


#: Behaviour plain moto already gets right and the labs depend on (observed and tested; see
#: ``shared/moto-fidelity.md``): the layer leaves these alone.
WORKS_AS_DOCUMENTED: list[tuple[str, str]] = [
    ("SQS standard and FIFO queues", "send, receive, delete, batches; visibility timeout redelivery"),
    ("SQS FIFO content-based deduplication", "identical bodies within 5 minutes are delivered once"),
    ("SQS redrive policy", "after maxReceiveCount receives a message moves to the dead-letter queue"),
    ("SNS to SQS fan-out", ("every subscribed queue gets a copy; RawMessageDelivery; FilterPolicy on "
                            "attributes and on the message body (FilterPolicyScope=MessageBody)")),
    ("EventBridge custom buses and rules", ("content filters (prefix, numeric, anything-but, ...), SQS "
                                            "targets (FIFO too), archives")),
    ("Step Functions executions", ("Choice, Pass, Wait, Parallel, Map, Fail, Succeed run; the optimized "
                                   "integrations sqs:sendMessage and dynamodb:putItem act; history events")),
    ("Kinesis Data Streams", "multi-shard streams, PutRecords, shard iterators, GetRecords"),
    ("DynamoDB Streams records", "INSERT/MODIFY/REMOVE records with NEW_AND_OLD_IMAGES"),
]

#: Differences the layer does not close (yet). Stated so nobody mistakes the emulator for AWS.
REMAINING: list[Row] = [
    Row("IAM permissions", "not enforced: every call is allowed; queue, topic and function policies are stored, not checked",
        "the student's own calls are not authorised (every call is allowed) and IAM roles are evaluated only for "
        "EventBridge targets that are another account's bus; "
        "resource policies are evaluated for SNS and EventBridge deliveries to queues, topics, functions and "
        "other accounts' event buses "
        "(Effect, Principal, Action, Resource and the String/Arn/Null condition operators)",
        "every call is authorised against IAM and resource policies"),
    Row("SNS email and SMS subscriptions", "confirmed at once; a publish to them records nothing observable",
        "the confirmation message and the deliveries land in the emulator's outbox (functions.outbox(lab)), "
        "nothing is sent; confirming means calling confirm_subscription with the outbox's token; the SMS "
        "sandbox's verification code also lands there (the 24-hour wait before deleting a number and the OTP "
        "rate limit are not modelled)",
        "confirmation links and messages reach real mailboxes and phones; an account in the SMS sandbox can "
        "only text verified numbers"),
    Row("Lambda execution environment", "no code runs without Docker",
        "handlers run in the notebook's process, one at a time; a handler past its Timeout is reported as "
        "timed out but not stopped; asynchronous (Event) invocations run before invoke returns and are not "
        "retried; stream retries bounded to 3 when MaximumRetryAttempts is unset; each event source mapping "
        "delivers one batch at a time",
        "isolated execution environments in parallel up to the concurrency limit; timeouts stop the "
        "handler; asynchronous invocations retried twice; stream batches retried until the records expire; "
        "SQS mappings scale out to many concurrent batches"),
    Row("SQS ReceiveMessage batch sizes", "always as many as requested while messages remain",
        "fewer than requested only while more are waiting (a seeded, reproducible sequence per queue); never "
        "empty while a message is receivable; event source mapping pollers get full batches",
        "any number up to MaxNumberOfMessages; a short poll can come back empty although messages are waiting"),
    Row("Lambda event source mapping states", "Enabled or Disabled at once",
        "Creating, Enabling, Updating and Disabling last 0.1 s; a deleted mapping is gone at once; an update "
        "during a transition is accepted",
        "transitions take seconds to minutes; a deleted mapping is listed as Deleting until it is removed"),
    Row("Scheduled rules and EventBridge Scheduler", "never run",
        "run when the emulator's clock is advanced (functions.advance(lab, minutes=...)), every due run before it "
        "returns; on the shared emulator also in real time; Scheduler targets get no retries or dead-letter queue",
        "run in real time, within the minute a run falls due; Scheduler retries per RetryPolicy and FlexibleTimeWindow"),
    Row("Lambda logs and credentials", "no code runs without Docker",
        "the log of every invocation goes to /aws/lambda/<function> (no Max Memory Used in REPORT); the handler gets its "
        "execution role's temporary credentials, but IAM does not check what they allow",
        "logs as shown, REPORT with Max Memory Used; every call the handler makes is authorised against its role"),
    Row("Throughput quotas and throttling", "none: any rate is accepted",
        "same as plain moto", "per-API quotas; throttled calls fail with a throttling error and are retried by boto3"),
    Row("Cost", "free", "free", "billed per request, per shard-hour, per GB (see README, 'Real AWS')"),
]


def _escape(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _title(module: object, fallback: str) -> str:
    """The first line of the patch module's docstring, without its trailing full stop."""
    doc = (getattr(module, "__doc__", None) or "").strip()
    return (doc.splitlines()[0].rstrip(".") if doc else fallback).replace("``", "`")


def patch_rows() -> list[Row]:
    """One row per patch, in PATCH_MODULES order (new modules appear without touching this file)."""
    from . import PATCH_MODULES

    rows = []
    for name in PATCH_MODULES:
        module = importlib.import_module(f"{__package__}.{name}")
        patch = module.PATCH
        rows.append(Row(_title(module, patch.name), patch.plain_moto,
                        f"as AWS (patch `{patch.name}`)", patch.restores))
    return rows


def _table(rows: list[Row], moto_version: str) -> list[str]:
    lines = [f"| feature | plain moto {moto_version} | with our layer | real AWS |", "|---|---|---|---|"]
    lines += [f"| {_escape(r.feature)} | {_escape(r.plain_moto)} | {_escape(r.with_layer)} | {_escape(r.real_aws)} |"
              for r in rows]
    return lines


def render() -> str:
    """The whole of ``docs/fidelity.md``."""
    moto_version = version("moto")
    rows = patch_rows()
    lines = [
        "# Emulator fidelity: plain moto, our layer, real AWS",
        "",
        "<!-- Generated by `python -m labs.helpers.emulator.fidelity --write`; do not edit by hand. -->",
        "",
        f"The embedded emulator is [moto](https://github.com/getmoto/moto) {moto_version} plus the fidelity layer in",
        "`labs/helpers/emulator/` (one module per gap, version-guarded: a patch whose upstream code changed is",
        "not applied and `install()` warns, naming it). The same layer runs in the shared emulator",
        "(`python -m labs emulator`). Set `LABS_EMULATOR_DISABLE=<patch>,...` to compare with plain moto;",
        "`python -m labs.helpers.emulator.plain_moto` runs each patch's tests without it and with the layer.",
        "",
        f"## Gaps the layer closes ({len(rows)})",
        "",
        *_table(rows, moto_version),
        "",
        "## Works as AWS documents it, in plain moto already",
        "",
        *_table([Row(feature, behaviour, "unchanged", behaviour) for feature, behaviour in WORKS_AS_DOCUMENTED],
                moto_version),
        "",
        "## Differences that remain",
        "",
        *_table(REMAINING, moto_version),
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m labs.helpers.emulator.fidelity", description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", action="store_true", help=f"write {DOC_PATH.name} instead of printing it")
    group.add_argument("--check", action="store_true", help=f"exit 1 if {DOC_PATH.name} is not up to date")
    args = parser.parse_args(argv)
    text = render()
    if args.write:
        DOC_PATH.parent.mkdir(parents=True, exist_ok=True)
        DOC_PATH.write_text(text, encoding="utf-8")
        print(f"wrote {DOC_PATH}")
    elif args.check:
        current = DOC_PATH.read_text(encoding="utf-8") if DOC_PATH.exists() else ""
        if current != text:
            print(f"{DOC_PATH} is stale: run python -m labs.helpers.emulator.fidelity --write", file=sys.stderr)
            return 1
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
