"""Fixtures for engine tests: a small real action registry the rule tests lint against."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from engine.actions.config import Config
from engine.actions.registry import ActionSpec, CallPlan, Param, Registry


class LookupOrder:
    """`test.lookup`: finds an order by customer name; answers from a fixed table, no network."""

    spec = ActionSpec(
        name="test.lookup",
        summary="look up a customer's order",
        params=(
            Param("name", "text", required=True, help="the customer's name"),
            Param("order", "number", help="the order number"),
            Param("options", "mapping", help="extra lookup options"),
        ),
        result="{status, total, note, id}",
    )
    orders: Mapping[str, Mapping[str, Any]] = {
        "Ada": {"status": "paid", "total": 40, "note": "", "id": 1},
    }

    def configured(self, config: Config) -> bool:
        return True

    def plan(self, args: Mapping[str, Any], config: Config) -> CallPlan:
        return CallPlan(self.spec.name, "LOOKUP", str(args.get("name", "")), dict(args))

    def call(self, args: Mapping[str, Any], config: Config) -> Mapping[str, Any]:
        return self.orders.get(str(args.get("name")), {"status": "missing"})


@pytest.fixture
def registry() -> Registry:
    """A registry holding only `test.lookup`."""
    return Registry([LookupOrder()])
