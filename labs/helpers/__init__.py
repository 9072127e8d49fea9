"""Helpers for the SecureCart event-driven labs.

The notebooks import from here and nowhere else::

    from labs.helpers import start_lab
    lab = start_lab("sqs-orders")
    sqs = lab.client("sqs")   # a plain boto3 client on the chosen backend
"""

from . import trace as _trace  # noqa: F401 - registers the flow trace on every lab client
from .backend import Backend, BackendKind, get_backend
from .checks import CheckResult, check
from .context import Lab, start_lab
from .errors import IncompleteTeardown, LabError, RealAwsBlockedError

__all__ = ["Backend", "BackendKind", "CheckResult", "IncompleteTeardown", "Lab", "LabError", "RealAwsBlockedError", "check", "get_backend", "start_lab"]
