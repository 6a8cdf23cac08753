"""What a walk needs now (a Prompt) and the replies it takes: the one "what next" of every face."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from engine.walk.answers import Option

if TYPE_CHECKING:
    from engine.tree.model import Input
    from engine.walk.action_runner import CallResult, PendingCall


@dataclass(frozen=True, slots=True)
class Choose:
    """Pick one of the options: a question's choices, a step's Continue, or the routes of an
    action done by hand (`by_hand` then says why it is not called)."""

    step: int
    options: tuple[Option, ...]
    by_hand: str | None = None


@dataclass(frozen=True, slots=True)
class TypeValue:
    """Type a value for an input node (`secret`: not to be echoed or shown again)."""

    step: int
    node: Input
    secret: bool


@dataclass(frozen=True, slots=True)
class Confirm:
    """Say whether to make this call (it asks to be confirmed, or it changes things)."""

    step: int
    call: PendingCall


@dataclass(frozen=True, slots=True)
class Call:
    """Make this call now (in a worker if the face likes) and reply with `Called`."""

    step: int
    call: PendingCall


@dataclass(frozen=True, slots=True)
class Failed:
    """The walk cannot go on by itself: a call failed (or was not made yet), or a link broke.

    `ways` are the replies it takes besides going back: RUN (retry, or make the call not made
    yet) and BY_HAND; none when nothing but going back helps (a broken link)."""

    step: int
    message: str
    ways: tuple[Way, ...]
    ran: bool = True


@dataclass(frozen=True, slots=True)
class Ended:
    """An outcome: the walk is over and takes no answer."""

    step: int
    status: str


Prompt = Choose | TypeValue | Confirm | Call | Failed | Ended


class Way(Enum):
    """A reply that is no answer of the node: about the call to make."""

    RUN = "run"  # make the call: confirmed, retried, or made after all
    HOLD = "hold"  # not now: the call waits, to be made or done by hand
    BY_HAND = "by-hand"


@dataclass(frozen=True, slots=True)
class Called:
    """A call's result, the reply to `Call`."""

    call: PendingCall
    result: CallResult


Reply = str | Option | Way | Called
