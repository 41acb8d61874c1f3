"""Parts that a higher app adds to something a lower app assembles.

A lower app (events, registrations) cannot import the apps above it, yet some of what it shows
belongs to them: an event's rating comes from reviews, its revenue from payments. The lower app
owns a `Contributions` and assembles from it; each higher app registers its part in
`AppConfig.ready()`, the way Django's admin and DRF's routers collect theirs.
"""

from collections.abc import Callable, Iterator


class Contributions:
    """An ordered set of parts (functions) registered by apps; `register` works as a decorator."""

    def __init__(self, purpose: str):
        self.purpose = purpose
        self._parts: list[Callable] = []

    def register(self, part: Callable) -> Callable:
        if part not in self._parts:
            self._parts.append(part)
        return part

    def __iter__(self) -> Iterator[Callable]:
        return iter(self._parts)

    def __repr__(self) -> str:
        return f"<Contributions to {self.purpose}: {len(self._parts)} part(s)>"
