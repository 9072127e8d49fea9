"""ARNs as the layer reads them (not a patch on its own: used by the patches that route by ARN).

``arn:partition:service:region:account-id:resource`` (AWS General Reference, "Amazon Resource Names"),
where the resource is ``name``, ``type/name`` or ``type:name[:qualifier]``. EventBridge targets, event
source mappings and their on-failure destinations all name what they reach by ARN; one parser reads
them all.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str

    @classmethod
    def parse(cls, arn: str) -> Arn:
        """Split ``arn`` into its parts; missing trailing parts are empty strings."""
        parts = arn.split(":", 5)
        parts += [""] * (6 - len(parts))
        return cls(parts[1], parts[2], parts[3], parts[4], parts[5])

    @property
    def resource_type(self) -> str:
        return self.resource.split("/", 1)[0] if "/" in self.resource else self.resource.split(":", 1)[0]

    @property
    def resource_name(self) -> str:
        return self.resource.split("/", 1)[1] if "/" in self.resource else self.resource.split(":", 1)[-1]
