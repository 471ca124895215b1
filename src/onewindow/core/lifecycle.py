"""The one lifecycle engine: a table of (state, action) → rule, the guards beside it, and the
conditional update that moves a row (STYLE.md §4).

Every lifecycle (applications, cases, complaints, rectifications, licences) declares its table
with ``Lifecycle``; its services call ``check`` (the table and the guards, raising a Chinese
message that names what the state allows, never a raw action code) and ``move`` (an
``UPDATE … WHERE pk = … AND <state> = <old> [AND …]`` that moved exactly one row, else
``ConcurrentChange``: the same on SQLite and PostgreSQL). Pages ask ``permitted`` for the same
answer without raising, so the buttons they show and the services they call agree.

Permissions stay with each app (``org.authz``: the kernel imports no app): a rule carries the
``org.roles`` action it needs, or ``SYSTEM`` for timers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from onewindow.core.errors import ConcurrentChange, DomainError, InvalidTransition

# Timers act as the system: no user, no permission check.
SYSTEM = "system"

# Called as guard(obj, **context); raises a DomainError that explains why the move is not possible now.
Guard = Callable[..., None]


@dataclass(frozen=True)
class Rule:
    target: str
    permission: str  # an org.roles action, or SYSTEM
    label: str  # Chinese, for messages and buttons
    needs_note: bool = False


@dataclass(frozen=True)
class Lifecycle:
    """One lifecycle: its noun (办件, 诉求 …), its states' labels, its table and its guards."""

    noun: str
    states: type[models.TextChoices]
    table: Mapping[tuple[str, str], Rule]
    guards: Mapping[tuple[str, str], Sequence[Guard]] = field(default_factory=dict)
    state_field: str = "status"

    def state_label(self, state: str) -> str:
        try:
            return str(self.states(state).label)
        except ValueError:
            return str(state)

    def action_label(self, action: str) -> str:
        """The action's label from any rule of the table; a neutral phrase for an unknown one."""
        return next((r.label for (_s, a), r in self.table.items() if a == action), "执行此操作")

    def allowed(self, state: str, *, system: bool = False) -> list[str]:
        """The actions the table allows from ``state`` (people's actions; with ``system`` the
        timers' too), in table order."""
        return [a for (s, a), r in self.table.items() if s == state and (system or r.permission != SYSTEM)]

    def rule(self, state: str, action: str) -> Rule:
        """The rule for ``action`` from ``state``, or ``InvalidTransition`` (409) saying what the
        state allows instead."""
        found = self.table.get((state, action))
        if found is not None:
            return found
        allowed = [self.table[(state, a)].label for a in self.allowed(state)]
        hint = f"；当前可以：{'、'.join(allowed)}" if allowed else "；当前状态下已不能再办理"
        raise InvalidTransition(
            f"{self.state_label(state)}的{self.noun}不能{self.action_label(action)}{hint}",
            action=str(action)[:40],
            state=state,
        )

    def check(self, obj: Any, action: str, *, state: str | None = None, **context: Any) -> Rule:
        """The rule for ``action`` on ``obj`` now: the table, then its guards (which raise);
        ``context`` (a reason, a day …) is passed on to the guards."""
        state = getattr(obj, self.state_field) if state is None else state
        found = self.rule(state, action)
        for guard in self.guards.get((state, action), ()):
            guard(obj, **context)
        return found

    def permitted(self, obj: Any, action: str, **context: Any) -> bool:
        """Would ``check`` pass? (For pages: show a button only where the service would act.)"""
        try:
            self.check(obj, action, **context)
        except DomainError:
            return False
        return True

    def move(
        self,
        model: type[models.Model],
        pk: Any,
        *,
        old: str,
        target: str,
        expect: Mapping[str, Any] | None = None,
        conflict: str = "",
        **fields: Any,
    ) -> None:
        """Move one row from ``old`` to ``target`` with ``fields``, only if it is still in ``old``
        (and matches ``expect``, e.g. a lock version); otherwise someone moved it first."""
        moved = model._default_manager.filter(pk=pk, **{self.state_field: old}, **(expect or {})).update(
            **{self.state_field: target}, **fields
        )
        if moved != 1:
            raise ConcurrentChange(conflict or f"该{self.noun}已被他人处理，请刷新后重试")
