"""What a walk needs now (a Prompt) and the replies it takes: the one "what next" of every face.

Plain classes with slots rather than dataclasses: a dataclass compiles its methods when its module
loads, and this module loads before a walk's first frame (a few dataclasses cost a millisecond).
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from engine.walk.answers import Option

if TYPE_CHECKING:
    from engine.tree.model import Input
    from engine.walk.action_runner import CallResult, PendingCall


class Choose:
    """Pick one of the options: a question's choices, a step's Continue, or the routes of an
    action done by hand (`by_hand` then says why it is not called)."""

    __slots__ = ("by_hand", "options", "step")

    def __init__(self, step: int, options: tuple[Option, ...], by_hand: str | None = None) -> None:
        self.step = step
        self.options = options
        self.by_hand = by_hand


class TypeValue:
    """Type a value for an input node (`secret`: not to be echoed or shown again)."""

    __slots__ = ("node", "secret", "step")

    def __init__(self, step: int, node: Input, secret: bool) -> None:
        self.step = step
        self.node = node
        self.secret = secret


class Confirm:
    """Say whether to make this call (it asks to be confirmed, or it changes things)."""

    __slots__ = ("call", "step")

    def __init__(self, step: int, call: PendingCall) -> None:
        self.step = step
        self.call = call


class Call:
    """Make this call now (in a worker if the face likes) and reply with `Called`."""

    __slots__ = ("call", "step")

    def __init__(self, step: int, call: PendingCall) -> None:
        self.step = step
        self.call = call


class Failed:
    """The walk cannot go on by itself: a call failed (or was not made yet), or a link broke.

    `ways` are the replies it takes besides going back: RUN (retry, or make the call not made
    yet) and BY_HAND; none when nothing but going back helps (a broken link)."""

    __slots__ = ("message", "ran", "step", "ways")

    def __init__(self, step: int, message: str, ways: tuple[Way, ...], ran: bool = True) -> None:
        self.step = step
        self.message = message
        self.ways = ways
        self.ran = ran


class Ended:
    """An outcome: the walk is over and takes no answer."""

    __slots__ = ("status", "step")

    def __init__(self, step: int, status: str) -> None:
        self.step = step
        self.status = status


Prompt = Choose | TypeValue | Confirm | Call | Failed | Ended


class Way(Enum):
    """A reply that is no answer of the node: about the call to make."""

    RUN = "run"  # make the call: confirmed, retried, or made after all
    HOLD = "hold"  # not now: the call waits, to be made or done by hand
    BY_HAND = "by-hand"


class Called:
    """A call's result, the reply to `Call`."""

    __slots__ = ("call", "result")

    def __init__(self, call: PendingCall, result: CallResult) -> None:
        self.call = call
        self.result = result


Reply = str | Option | Way | Called
