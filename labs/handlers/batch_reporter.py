"""SecureCart batch reporter: logs how many records and which sessions each Kinesis batch held.

Lab 5 step 7 maps it to a scratch one-shard stream with a ParallelizationFactor, to *see* what the
factor does: several batches of the shard at a time, the clicks of one session always in the same
batch (Lambda keeps order per partition key). The log line is one JSON object per invocation, so the
notebook reads it back from CloudWatch Logs (``filter_log_events``) on the emulator and on AWS alike.

Hand-written (no Powertools): it only reads the batch, nothing in it can fail record by record.
"""

from __future__ import annotations

import base64
import json
from typing import Any


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    records = event.get("Records", [])
    sessions = []
    for record in records:
        session = json.loads(base64.b64decode(record["kinesis"]["data"]))["session"]
        if session not in sessions:
            sessions.append(session)
    print(json.dumps({"records": len(records), "sessions": sessions}))
    return {}
