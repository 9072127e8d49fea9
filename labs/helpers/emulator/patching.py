"""How a fidelity patch is described, version-guarded and applied.

A :class:`Patch` names the AWS behaviour it restores (in AWS's own words: the fidelity table in
``docs/fidelity.md`` is written from these), the moto/botocore objects it touches, and a
fingerprint of each: the SHA-256 of the object's source code when the patch was written. Applying a
patch to code that has since changed is how silent breakage happens, so :meth:`Patch.install`
refuses and reports instead. ``python -m labs.helpers.emulator.patching`` prints the current
fingerprints, for updating a patch after checking it against new upstream code.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PatchStatus:
    applied: bool
    reason: str = ""


def resolve(dotted: str) -> Any:
    """Import ``package.module:Attr.attr`` (a module path, a colon, then attributes)."""
    module_name, _, attrs = dotted.partition(":")
    obj: Any = importlib.import_module(module_name)
    for attr in filter(None, attrs.split(".")):
        obj = getattr(obj, attr)
    return obj


def fingerprint(dotted: str) -> str:
    """First 12 hex digits of the SHA-256 of the target's source code."""
    source = inspect.getsource(resolve(dotted))
    return hashlib.sha256(source.encode()).hexdigest()[:12]


@dataclass
class Patch:
    """One closed gap between moto and AWS."""

    name: str
    #: The AWS behaviour restored, as AWS documents it (one sentence, used in the fidelity table).
    restores: str
    #: What plain moto 5.2.5 does instead (one sentence, used in the fidelity table).
    plain_moto: str
    apply: Callable[[], None]
    #: ``"module:Qual.name" -> fingerprint`` of every upstream object this patch replaces or wraps.
    targets: dict[str, str] = field(default_factory=dict)
    #: Whether :meth:`install` has applied it in this process (``apply`` runs at most once: a second
    #: run would wrap its own wrappers, and its targets are no longer upstream's code to check).
    applied: bool = field(default=False, init=False, repr=False)

    def check(self) -> str:
        """Why the patch can no longer be applied, or an empty string when it can."""
        for dotted, expected in self.targets.items():
            try:
                actual = fingerprint(dotted)
            except (ImportError, AttributeError, OSError, TypeError) as err:
                return f"target {dotted} is gone ({type(err).__name__}: {err})"
            if actual != expected:
                return (f"target {dotted} changed upstream (fingerprint {actual}, patch written "
                        f"against {expected}); re-check the patch against the new code")
        return ""

    def install(self) -> PatchStatus:
        """Apply the patch if its targets are still what it was written against (once per process)."""
        if self.applied:
            return PatchStatus(True)
        problem = self.check()
        if problem:
            return PatchStatus(False, problem)
        self.apply()
        self.applied = True
        return PatchStatus(True)


if __name__ == "__main__":  # pragma: no cover - maintenance aid
    from . import patches

    for patch in patches():
        for dotted in patch.targets:
            print(f"{patch.name:32} {dotted:70} {fingerprint(dotted)}")
