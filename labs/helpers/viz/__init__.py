"""Pictures of what a lab's messages did: matplotlib figures, one module per picture.

* :func:`sequence` - who sent what to whom, in order (from ``lab.flow.df``)
* :func:`service_map` - the lab's resources and routes, discovered from the account
* :class:`QueueDepthRecorder` / :func:`queue_depth` - visible / in flight / DLQ over time
* :func:`execution_path` - a Step Functions execution on its state machine's graph

Every function returns a ``matplotlib.figure.Figure`` (Jupyter displays it; tests inspect it).
"""

from .depth import QueueDepthRecorder, queue_depth
from .execution import execution_path
from .sequence import sequence
from .service_map import discover, service_map

__all__ = ["QueueDepthRecorder", "discover", "execution_path", "queue_depth", "sequence", "service_map"]
