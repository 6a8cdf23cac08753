"""Running an action node's call: automatic, dry-run, stubbed for scenarios, or left to a person."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from engine.text import well_formed, well_formed_value
from engine.walk.masking import Mask

if TYPE_CHECKING:
    from engine.actions.config import Config
    from engine.actions.registry import ActionSpec, CallPlan, Registry


@dataclass(frozen=True)
class PendingCall:
    """A call an action node is about to make; `shown` has secrets masked for people and logs."""

    uses: str
    args: Mapping[str, Any]
    shown: Mapping[str, Any]
    spec: ActionSpec | None
    confirm: bool
    plan: CallPlan | None = None
    mask: Mask = field(default_factory=Mask, repr=False)

    @property
    def side_effects(self) -> bool:
        return self.spec is not None and self.spec.has_side_effects(self.args)

    def describe(self) -> str:
        """One line saying what would be called, secrets masked (in the URL too)."""
        if self.plan is not None:
            return self.mask.text(self.plan.describe())
        shown = ", ".join(f"{k}={v!r}" for k, v in self.shown.items())
        return f"{self.uses}({shown})"

    def target(self) -> str:
        """`METHOD URL` of the call when the action plans one, secrets masked; else ""."""
        if self.plan is None:
            return ""
        return self.mask.text(f"{self.plan.method} {self.plan.target}")


@dataclass(frozen=True)
class CallResult:
    """What a call gave: a result mapping, or the message of its failure."""

    result: Mapping[str, Any] | None = None
    error: str | None = None
    mode: str = "called"  # called, stubbed, dry-run

    @property
    def ok(self) -> bool:
        return self.error is None


def fields_first(result: Mapping[str, Any], first: Sequence[str]) -> dict[str, Any]:
    """A call's result with the fields named in `first` (those it has) moved to its front: the
    fields the routes read are what a person looks for in it."""
    ordered = {name: result[name] for name in first if name in result}
    ordered.update((name, value) for name, value in result.items() if name not in ordered)
    return ordered


class ActionRunner:
    """Decides how each action runs and runs it.

    `stubs` (scenario tests) give results by action name and make those actions automatic; a
    list gives the results of that action's calls in order (`stub_calls` counts them). Anything
    else runs for real only when registered, configured, not forced by hand, and, under
    dry-run, free of side effects. The registry may be given as a function that makes it: it is
    then made when an action first needs it (loading every action's code costs a start).
    """

    def __init__(
        self,
        registry: Registry | Callable[[], Registry] | None = None,
        config: Config | None = None,
        *,
        manual: bool = False,
        dry_run: bool = False,
        stubs: Mapping[str, Any] | None = None,
    ) -> None:
        self._registry = registry
        self.config = config
        self.manual = manual
        self.dry_run = dry_run
        self.stubs: Mapping[str, Any] = stubs if stubs is not None else {}
        self.stub_calls: Counter[str] = Counter()

    @property
    def registry(self) -> Registry | None:
        if callable(self._registry):
            self._registry = self._registry()
        return self._registry

    def is_automatic(self, uses: str, args: Mapping[str, Any] | None = None) -> bool:
        """Whether a call of the action with these arguments is made by the program."""
        if uses in self.stubs:
            return True
        action = self.registry.get(uses) if self.registry is not None else None
        if self.manual or action is None or self.config is None:
            return False
        if self.dry_run and action.spec.has_side_effects(args):
            return False
        return action.configured(self.config)

    def why_by_hand(self, uses: str, args: Mapping[str, Any] | None = None) -> str:
        """Why an action is left to a person rather than called, in words."""
        if self.manual:
            return "--manual was given"
        action = self.registry.get(uses) if self.registry is not None else None
        if action is None:
            return f"{uses} is not an action this installation has"
        if self.dry_run and action.spec.has_side_effects(args):
            return "dry run: this call changes things, so it is not made"
        if self.config is None:
            return f"{uses} is not configured here"
        from engine.actions.catalog import setup_hint

        hint = self.config.mask.text(setup_hint(action, self.config))
        return f"{uses} is not configured here: {hint}, or run `branchwise actions`"

    def prepare(self, uses: str, args: Mapping[str, Any], confirm: bool, mask: Mask) -> PendingCall:
        """The pending call, with its plan when the action can make one; `mask` holds the walk's
        secrets, which the call's shown arguments and lines never show."""
        spec = self.registry.spec(uses) if self.registry is not None else None
        plan = None
        action = self.registry.get(uses) if self.registry is not None else None
        if action is not None and self.config is not None and uses not in self.stubs:
            try:
                plan = action.plan(args, self.config)
            except Exception:  # a plugin's broken plan only costs the preview, never the walk
                plan = None
        return PendingCall(uses, dict(args), mask.value(dict(args)), spec, confirm, plan, mask)

    @property
    def mask(self) -> Mask:
        """The config's credentials, to mask wherever they could show."""
        return Mask() if self.config is None else self.config.mask

    def invoke(self, call: PendingCall) -> CallResult:
        """Run the call (blocking); failures come back as a CallResult, never raised."""
        if call.uses in self.stubs:
            return self._next_stub(call.uses)
        action = self.registry.get(call.uses) if self.registry is not None else None
        if action is None or self.config is None:
            return CallResult(error=f"action {call.uses!r} is not available")
        from engine.actions.registry import ActionFailed

        try:
            result: Any = action.call(call.args, self.config)
        except ActionFailed as exc:
            return CallResult(error=well_formed(exc.message))
        except Exception as exc:  # a plugin's bug becomes a failed call, never a traceback
            return CallResult(error=well_formed(f"{call.uses} broke: {type(exc).__name__}: {exc}"))
        if not isinstance(result, Mapping):
            return CallResult(error=f"{call.uses} gave {type(result).__name__}, not a mapping")
        # JSON from an API may escape lone surrogates (\udcff), which no store can encode.
        return CallResult(result=well_formed_value(dict(result)))

    def _next_stub(self, uses: str) -> CallResult:
        stub = self.stubs[uses]
        self.stub_calls[uses] += 1
        if not isinstance(stub, list):
            return _stubbed(stub)
        number = self.stub_calls[uses]
        if number > len(stub):
            return CallResult(
                error=f"call {number} of {uses} has no stubbed result (the list holds {len(stub)})",
                mode="stubbed",
            )
        return _stubbed(stub[number - 1])


def _stubbed(stub: Any) -> CallResult:
    if isinstance(stub, Mapping) and set(stub) == {"error"}:
        return CallResult(error=str(stub["error"]), mode="stubbed")
    result = dict(stub) if isinstance(stub, Mapping) else {"value": stub}
    return CallResult(result=result, mode="stubbed")
