"""Keys typed at a list of answers: numbers of one or two digits, a choice's key, a filter."""

from __future__ import annotations

from collections.abc import Sequence

from engine.walk.answers import Option

DIGIT_WAIT = 0.5  # seconds a digit that could start a longer number waits for the next one
FILTER_FROM = 10  # answers from which typed letters filter the list


class Held:
    """A digit kept: it could start a longer number, so it waits for the next digit or Enter."""


class Filtered:
    """The filter changed: show the answers it keeps."""


class Ignored:
    """No answer for this key: it is left to the screen's other keys."""


HELD, FILTERED, IGNORED = Held(), Filtered(), Ignored()
Typed = Option | Held | Filtered | Ignored


class AnswerKeys:
    """What the keys typed at one list of answers mean; one per list shown.

    Digits pick by number (an answer's number never changes, filtered or not); with 10 or more
    answers a digit that could start a longer number is held until the next digit, Enter or
    DIGIT_WAIT has passed. A choice's own key picks it; with FILTER_FROM or more answers any
    other letter starts a filter, which then takes every letter and space typed.
    """

    def __init__(self, options: Sequence[Option]) -> None:
        self.options = tuple(options)
        self.digits = ""
        self.filter = ""

    def shown(self) -> list[Option]:
        """The answers the filter keeps (all of them without one)."""
        if not self.filter:
            return list(self.options)
        wanted = self.filter.casefold()
        return [o for o in self.options if wanted in o.label.casefold()]

    def press(self, character: str) -> Typed:
        """The answer a typed character takes, or what became of it."""
        if character.isdecimal() and character.isascii():
            return self._digit(character)
        if self.filter and (character.isalnum() or character in " -_.'"):
            self.filter += character
            return FILTERED
        folded = character.casefold()
        for option in self.options:
            if option.key and option.key.casefold() == folded:
                return option
        if len(self.options) >= FILTER_FROM and character.isalpha():
            self.filter = character
            return FILTERED
        return IGNORED

    def erase(self) -> bool:
        """Backspace: the filter's last character removed; False when there is no filter."""
        if not self.filter:
            return False
        self.filter = self.filter[:-1]
        return True

    def clear_filter(self) -> bool:
        """Esc: the filter cleared; False when there was none (Esc then goes back)."""
        had, self.filter = bool(self.filter), ""
        return had

    def take_held(self) -> Option | None:
        """The answer the held digits name (Enter, or the wait is over); nothing is held after."""
        digits, self.digits = self.digits, ""
        return self.numbered(digits) if digits else None

    def spills(self, character: str) -> bool:
        """Whether this digit cannot follow the held ones (`3` then `5` with 30 answers): the
        held digits are then taken on their own, and the digit goes to the next list."""
        if not self.digits or not (character.isdecimal() and character.isascii()):
            return False
        digits = self.digits + character
        return not self._could_grow(digits) and self.numbered(digits) is None

    def numbered(self, digits: str) -> Option | None:
        """The answer of this number, filtered out or not."""
        number = int(digits)
        return next((o for o in self.options if o.index + 1 == number), None)

    def _digit(self, character: str) -> Typed:
        digits = self.digits + character
        if self._could_grow(digits):
            self.digits = digits
            return HELD
        self.digits = ""
        picked = self.numbered(digits)
        return picked if picked is not None else IGNORED

    def _could_grow(self, digits: str) -> bool:
        """Whether some answer's number starts with these digits and is longer."""
        count = len(self.options)
        return int(digits) * 10 <= count and len(digits) < len(str(count))
