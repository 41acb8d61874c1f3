"""The seam between a state change and its side effects.

A service records a *fact* (`registration.confirmed`, `event.cancelled`, `checkin.created`)
once, inside its transaction, with `record()`:

    service ──record(fact)──▶ journal: the activity-log entry, in the same transaction
                                  │
                          transaction commits (a rollback drops the fact with the entry)
                                  │
                                  ▼
              handlers subscribed to the fact's name, each on its own:
                inline (cache invalidation)      background task (notifications, webhooks)

Apps declare the facts they emit (`FactType`, in their `facts.py`) and subscribe handlers in
`AppConfig.ready()`; the app that records a fact imports none of the apps that react to it.
Handlers are idempotent on `fact.id` (the journal entry's id), so a retried background task
cannot act twice. A handler subscribed with `many=True` gets, in one call, every fact of its
kinds that one `record_many()` recorded (an event cancelled with a thousand registrations is
one call, not a thousand), so it can act on them in bulk. Rules that must hold in the same
transaction (a payment confirming a registration under the event's lock) are direct service
calls, not facts.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime

from celery import shared_task
from django.db import transaction
from django.utils.module_loading import import_string

from config.throttling import client_ip

logger = logging.getLogger(__name__)

USER_AGENT_MAX = 512


@dataclass(frozen=True)
class FactType:
    """A kind of fact. `name` is what handlers (and outbound webhooks) subscribe to; `action` is
    the word the activity log shows for it."""

    name: str
    action: str


@dataclass(frozen=True)
class Origin:
    """Where a change was asked from, as plain values: what a view knows of its request.
    Services take it instead of the request, so tasks and webhooks can call them too (they
    pass none)."""

    ip: str | None = None
    user_agent: str = ""

    @classmethod
    def of(cls, request) -> Origin:
        return cls(
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX],
        )


@dataclass(frozen=True)
class Fact:
    """One recorded fact, as handlers receive it. `id` is its journal entry's id."""

    id: int
    name: str
    user_id: int | None
    target_type: str
    target_id: str
    data: dict = field(default_factory=dict)
    occurred_at: datetime | None = None

    @property
    def event_id(self) -> int | None:
        """The event the fact is about, when it is about one."""
        return self.data.get("event")


@dataclass(frozen=True)
class Entry:
    """What the journal is asked to keep for one fact."""

    fact_type: FactType
    user: object | None = None
    username: str = ""
    origin: Origin | None = None
    target: object | None = None
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Subscription:
    handler: Callable
    background: bool = False
    many: bool = False  # the handler takes a list of facts

    @property
    def path(self) -> str:
        return f"{self.handler.__module__}.{self.handler.__qualname__}"


_fact_types: dict[str, FactType] = {}
_handlers: dict[str, list[Subscription]] = defaultdict(list)
_journal: Callable[[list[Entry]], list] | None = None


def fact_type(name: str, *, action: str) -> FactType:
    """Declare a kind of fact (in the emitting app's `facts.py`)."""
    declared = FactType(name=name, action=action)
    if _fact_types.setdefault(name, declared) != declared:
        raise ValueError(f"The fact {name!r} is declared twice, differently.")
    return declared


def fact_types() -> list[FactType]:
    return sorted(_fact_types.values(), key=lambda declared: declared.action)


def keep_journal(writer: Callable[[list[Entry]], list]) -> None:
    """Set what writes the journal (the activity log, from `users`): it takes entries and
    returns the saved rows, each with `pk`, `created_at`, `user_id`, `target_type`,
    `target_id`, `metadata`."""
    global _journal
    _journal = writer


def subscribe(*kinds: FactType | str, background: bool = False, many: bool = False):
    """Decorator: call the handler with each committed fact of these kinds (or names: an app
    may subscribe to the facts of an app above it by name). Inline handlers run
    right after the commit, in the process that committed; background ones run as a Celery task
    (eagerly, in process, when no broker is configured; in process too when the broker cannot
    take the task, so a fact is not lost to a broker that is down). Either way a failing
    handler is logged and does not undo or fail the change that was committed. Subscribing the
    same handler twice delivers each fact to it once. With `many=True` the handler takes a list:
    the facts of its kinds recorded together, in the order they were recorded."""

    def register(handler: Callable) -> Callable:
        subscription = Subscription(handler, background, many)
        for kind in kinds:
            handlers = _handlers[kind.name if isinstance(kind, FactType) else kind]
            if subscription not in handlers:  # subscribing twice delivers once
                handlers.append(subscription)
        return handler

    return register


def record(
    fact_type: FactType,
    *,
    user=None,
    username: str = "",
    origin: Origin | None = None,
    target=None,
    data: dict | None = None,
) -> Fact:
    """Record that something happened: the journal entry now, the handlers after the commit.
    `user` is who did it (or whom it happened to); `target` the object it happened to."""
    return record_many(
        [Entry(fact_type, user, username, origin, target, data or {})],
    )[0]


def record_many(entries: Iterable[Entry]) -> list[Fact]:
    """`record()` for many facts at once: one insert for all the journal entries."""
    entries = list(entries)
    if not entries:
        return []
    if _journal is None:
        raise RuntimeError("No journal is kept: the users app registers it when it is ready.")
    rows = _journal(entries)
    facts = [
        Fact(
            id=row.pk,
            name=entry.fact_type.name,
            user_id=row.user_id,
            target_type=row.target_type,
            target_id=row.target_id,
            data=row.metadata,
            occurred_at=row.created_at,
        )
        for entry, row in zip(entries, rows, strict=True)
    ]
    together: dict[Subscription, list[Fact]] = {}
    for fact in facts:
        for subscription in _handlers.get(fact.name, ()):
            if subscription.many:
                together.setdefault(subscription, []).append(fact)
            else:
                transaction.on_commit(_dispatcher(subscription, [fact]))
    for subscription, batch in together.items():
        transaction.on_commit(_dispatcher(subscription, batch))
    return facts


def _dispatcher(subscription: Subscription, batch: list[Fact]) -> Callable[[], None]:
    path = subscription.path
    about = f"fact {batch[0].name} #{batch[0].id}" + (
        f" and {len(batch) - 1} more" if len(batch) > 1 else ""
    )

    def run_here() -> None:
        if subscription.many:
            subscription.handler(batch)
        else:
            subscription.handler(batch[0])

    def queue() -> None:
        if subscription.many:
            deliver_facts.delay(path, [_as_payload(fact) for fact in batch])
        else:
            deliver_fact.delay(path, _as_payload(batch[0]))

    def dispatch() -> None:
        try:
            if subscription.background:
                try:
                    queue()
                    return
                except Exception:  # the broker did not take it: deliver here, not never
                    logger.exception(
                        "Queueing %s for %s failed; running it in process", path, about
                    )
            run_here()
        except Exception:
            logger.exception("%s failed on %s", path, about)

    return dispatch


def _as_payload(fact: Fact) -> dict:
    payload = asdict(fact)
    payload["occurred_at"] = fact.occurred_at.isoformat() if fact.occurred_at else None
    return payload


def _from_payload(payload: dict) -> Fact:
    payload = dict(payload)
    occurred_at = payload.pop("occurred_at")
    return Fact(**payload, occurred_at=datetime.fromisoformat(occurred_at) if occurred_at else None)


@shared_task(name="facts.deliver", autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def deliver_fact(handler_path: str, payload: dict) -> None:
    """Run one background handler for one fact (retried with backoff when it fails)."""
    import_string(handler_path)(_from_payload(payload))


@shared_task(
    name="facts.deliver_many", autoretry_for=(Exception,), retry_backoff=True, max_retries=5
)
def deliver_facts(handler_path: str, payloads: list[dict]) -> None:
    """Run one background handler that takes many facts, for the facts recorded together."""
    import_string(handler_path)([_from_payload(payload) for payload in payloads])
