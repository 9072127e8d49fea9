"""The flow trace: ``lab.flow`` records every call that moves a message or event, and the
deliveries those calls cause, as a pandas DataFrame (``lab.flow.df``).

Importing this package (``labs.helpers`` does) registers the client hook and the delivery
listener; every client a lab makes from then on is traced with no student action. See
:class:`Flow` for the columns, :mod:`.mask` for what is hidden, :mod:`.extract` for what each
operation records, and ``benchmarks/trace_overhead.py`` for what it costs.
"""

from __future__ import annotations

from ..context import register_client_hook
from .flow import DEFAULT_CAPACITY, Flow
from .mask import Masker, short_handle, short_name
from .recorder import flow_of, on_delivery, trace_client
from .rows import COLUMNS, Row

register_client_hook(trace_client)

__all__ = ["COLUMNS", "DEFAULT_CAPACITY", "Flow", "Masker", "Row", "flow_of", "on_delivery", "short_handle",
           "short_name", "trace_client"]
