"""Show that each gap's tests fail on plain moto and pass with the layer: the layer's proof.

Issue "Emulator fidelity" asks that every gap closed by the layer has a test that fails on plain
moto and passes with the layer on. :data:`GAP_TESTS` names, for every patch in
:data:`~labs.helpers.emulator.PATCH_MODULES`, the test files that state the AWS behaviour it
restores (a fast test keeps this map complete). This command runs each patch's files twice in a
fresh pytest process: with that one patch left out (``LABS_EMULATOR_DISABLE=<patch>``) and with
the whole layer, and prints how many tests fail each way.

Why a command and not a test: it runs the emulator suite once per patch (several minutes on a
laptop), which is a measurement to quote, not something CI should repeat on every change.

    python -m labs.helpers.emulator.plain_moto                 # every patch
    python -m labs.helpers.emulator.plain_moto sqs_move_tasks  # some patches
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

from . import DISABLE_ENV

ROOT = Path(__file__).resolve().parents[3]
TESTS = ROOT / "tests" / "emulator"

#: patch name -> the test files (under tests/emulator/, by service) that assert the AWS behaviour it restores.
GAP_TESTS: dict[str, list[str]] = {
    "sqs_queue_attributes": ["sqs/test_queue_attribute_validation.py"],
    "sqs_redrive_policy": ["sqs/test_sqs_redrive_policy.py"],
    "sqs_fifo_names": ["sqs/test_sqs_fifo_names.py"],
    "sqs_receive_fast": ["sqs/test_sqs_receive_fast.py", "sqs/test_sqs_dlq_move_delivery.py"],
    "sqs_receive_partial": ["sqs/test_sqs_receive_partial.py"],
    "sqs_move_tasks": ["sqs/test_sqs_move_tasks.py"],
    "sqs_fifo_sequence": ["sqs/test_sqs_fifo_sequence.py"],
    "sqs_batch_entry_ids": ["sqs/test_sqs_batch_entry_ids.py"],
    "dynamodb_partiql_parameters": ["dynamodb/test_dynamodb_partiql_parameters.py"],
    "dynamodb_ttl_expiry": ["dynamodb/test_dynamodb_ttl_expiry.py"],
    "dynamodb_stream_reenable": ["dynamodb/test_dynamodb_stream_reenable.py"],
    "dynamodb_streams_endpoint": ["dynamodbstreams/test_dynamodb_streams_endpoint.py"],
    "dynamodbstreams_record_fields": ["dynamodbstreams/test_dynamodbstreams_record_fields.py"],
    "kinesis_create_tags": ["kinesis/test_kinesis_tags.py"],
    "kinesis_records_fast": ["kinesis/test_kinesis_records_fast.py"],
    "kinesis_write_limits": ["kinesis/test_kinesis_write_limits.py"],
    "kinesis_resharding": ["kinesis/test_kinesis_resharding.py"],
    "iam_aws_managed_policies": ["iam/test_iam_managed_policies.py"],
    "lambda_local_runtime": ["awslambda/test_lambda_local_runtime.py", "awslambda/test_lambda_callers.py"],
    "lambda_mapping_states": ["awslambda/test_lambda_mapping_states.py"],
    "lambda_execution_role": ["awslambda/test_lambda_execution_role.py"],
    "lambda_cloudwatch_logs": ["awslambda/test_lambda_cloudwatch_logs.py"],
    "lambda_event_source_mappings": ["awslambda/test_lambda_event_source_mappings.py", "awslambda/test_lambda_stream_mappings.py"],
    "lambda_mapping_conflict": ["awslambda/test_lambda_mapping_conflict.py"],
    "lambda_permission_conflict": ["awslambda/test_lambda_permission_conflict.py"],
    "lambda_filter_criteria": ["awslambda/test_lambda_filter_criteria.py"],
    "lambda_stream_batching": ["awslambda/test_lambda_stream_batching.py", "awslambda/test_lambda_stream_bisect_dynamodb.py"],
    "lambda_stream_parallelization": ["awslambda/test_lambda_stream_parallelization.py"],
    "sns_delivery_protocols": ["sns/test_sns_delivery_protocols.py"],
    "sns_delivery_policies": ["sns/test_sns_delivery_policies.py"],
    "sns_email_confirmation": ["sns/test_sns_email_confirmation.py"],
    "sns_fifo_throughput_scope": ["sns/test_sns_fifo_throughput_scope.py"],
    "sns_create_conflicts": ["sns/test_sns_create_conflicts.py"],
    "sns_subscription_redrive": ["sns/test_sns_subscription_redrive.py"],
    "sns_publish_batch": ["sns/test_sns_publish_batch.py"],
    "sns_fifo_delivery": ["sns/test_sns_fifo_delivery.py"],
    "sns_sms_sandbox": ["sns/test_sns_sms_sandbox.py"],
    "events_targets": ["events/test_events_targets.py", "events/test_events_input.py", "events/test_events_retry_dlq.py"],
    "events_target_policies": ["events/test_events_target_policies.py"],
    "events_cross_account": ["events/test_events_cross_account.py"],
    "events_test_event_pattern": ["events/test_events_patterns.py"],
    "events_pattern_arrays": ["events/test_events_patterns.py"],
    "events_pattern_validation": ["events/test_events_pattern_validation.py"],
    "events_replay": ["events/test_events_archive_cross_account.py"],
    "events_put_targets_validation": ["events/test_events_put_targets_validation.py"],
    "events_schedules": ["events/test_events_schedules.py"],
    "sfn_execution_name": ["stepfunctions/test_stepfunctions_names_and_logging.py"],
    "sfn_quiet_logging": ["stepfunctions/test_stepfunctions_names_and_logging.py"],
    "sfn_deliveries": ["stepfunctions/test_stepfunctions_deliveries.py"],
    "sfn_time_warp": ["stepfunctions/test_stepfunctions_time_warp.py"],
    "sfn_describe_output": ["stepfunctions/test_stepfunctions_history.py"],
    "sfn_history_pages": ["stepfunctions/test_stepfunctions_history.py"],
    "sfn_server_tasks": ["stepfunctions/test_stepfunctions_server.py"],
    "sfn_no_choice_matched": ["stepfunctions/test_stepfunctions_errors.py"],
    "sfn_branch_errors": ["stepfunctions/test_stepfunctions_errors.py"],
    "sfn_stop_execution": ["stepfunctions/test_stepfunctions_stop.py"],
    "sfn_wait_timestamp": ["stepfunctions/test_stepfunctions_wait_timestamp.py"],
    "sfn_sync_execution": ["stepfunctions/test_stepfunctions_sync_execution.py"],
    "sfn_activities": ["stepfunctions/test_stepfunctions_activities.py"],
    "sfn_role_trust": ["stepfunctions/test_stepfunctions_role_trust.py"],
    "sfn_task_clock": ["stepfunctions/test_stepfunctions_task_clock.py"],
    "schemas_registry": ["schemas/test_schemas_registry.py"],
    "schemas_discovery": ["schemas/test_schemas_discovery.py"],
}

_COUNT = re.compile(r"(\d+) (failed|passed|error|errors)\b")


def run_tests(files: list[str], disabled: str = "") -> tuple[int, int]:
    """(failed, passed) for ``files`` in a fresh pytest process, with ``disabled`` patches left out.

    The variable reaches server subprocesses too (they inherit the environment), so a patch is
    off everywhere its tests look.
    """
    env = {**os.environ, DISABLE_ENV: disabled}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "ignore",
                           *[str(TESTS / name) for name in files]],
                          capture_output=True, text=True, cwd=ROOT, env=env, check=False)
    counts = {"failed": 0, "passed": 0}
    for number, word in _COUNT.findall(done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""):
        counts["failed" if word != "passed" else "passed"] += int(number)
    return counts["failed"], counts["passed"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m labs.helpers.emulator.plain_moto",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("patches", nargs="*", help="patch names (default: every patch)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.patches) - set(GAP_TESTS))
    if unknown:
        parser.error(f"unknown patch {', '.join(unknown)}; the patches are: {', '.join(GAP_TESTS)}")
    unproven = []
    print(f"{'patch':32} {'tests':>5} {'fail without it':>16} {'fail with layer':>16}")
    for name in args.patches or list(GAP_TESTS):
        files = GAP_TESTS[name]
        failed_plain, _ = run_tests(files, disabled=name)
        failed_layer, passed_layer = run_tests(files)
        total = failed_layer + passed_layer
        print(f"{name:32} {total:5} {failed_plain:16} {failed_layer:16}", flush=True)
        if failed_plain == 0 or failed_layer:
            unproven.append(name)
    if unproven:
        print(f"\nnot proven (no test fails without the patch, or a test fails with it): {', '.join(unproven)}")
        return 1
    print("\nevery patch: at least one of its tests fails without it, and all pass with the layer")
    return 0


if __name__ == "__main__":
    sys.exit(main())
