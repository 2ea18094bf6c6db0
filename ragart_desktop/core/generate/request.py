"""What every kind's frozen request shares: one seed at a time, and its JSON form.

History, the provenance records and the CLI store a request with ``to_json`` and rebuild it with
``from_json``; a field this version does not know (from a newer or older record) is ignored, and
the nested specs a kind names in ``NESTED`` (references, LoRAs …) come back as their dataclasses.
"""
from __future__ import annotations

import json
from dataclasses import asdict, fields, replace
from typing import Any, ClassVar, TypeVar

Q = TypeVar("Q", bound="RequestJson")


class RequestJson:
    """Mixin for a frozen request dataclass with ``seed`` and ``count`` fields."""

    NESTED: ClassVar[dict[str, type]] = {}   # field name -> dataclass of the tuple's elements

    def with_seed(self: Q, seed: int) -> Q:
        return replace(self, seed=seed, count=1)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for name in self.NESTED:
            data[name] = list(data[name])
        return data

    @classmethod
    def from_json(cls: type[Q], data: dict[str, Any] | str) -> Q:
        if isinstance(data, str):
            data = json.loads(data)
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        for name, spec in cls.NESTED.items():
            values[name] = tuple(spec(**item) for item in values.get(name, ()))
        return cls(**values)
