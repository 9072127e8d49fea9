"""Teach moto one more host for a service (not a patch on its own: used by the patches that need it).

moto decides by URL which service a request belongs to, in ``moto.backend_index.backend_url_patterns``
(read in-process by the botocore stubber and, on a moto server, by the host dispatcher, which keeps a
reference to the same list), and which handler inside the service answers it, by the service's
``urls.url_bases``. A host botocore uses but moto does not know (DynamoDB Streams' account-based
endpoint, Step Functions' ``sync-states``, the whole ``schemas`` service) answers ``404 Not yet
implemented`` until both know it. One function does both, the same way for every patch.
"""

from __future__ import annotations

import re


def add_host(service: str, pattern: str, url_bases: list[str] | None = None) -> None:
    """Route URLs matching ``pattern`` to ``service`` (idempotent; every existing route stays as it was).

    The pattern goes into ``backend_url_patterns`` *in place* (the stubber and an already-created
    server dispatcher read that very list), just before the service's first existing pattern, or at
    the end for a service moto has none for. ``url_bases`` is the service's own list of URL bases
    (``moto.<service>.urls.url_bases``), extended too when given.
    """
    from moto import backend_index

    if url_bases is not None and pattern not in url_bases:
        url_bases.append(pattern)
    patterns = backend_index.backend_url_patterns
    if any(name == service and compiled.pattern == pattern for name, compiled in patterns):
        return
    position = next((i for i, (name, _) in enumerate(patterns) if name == service), len(patterns))
    patterns.insert(position, (service, re.compile(pattern)))
