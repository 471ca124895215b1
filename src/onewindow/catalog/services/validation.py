"""Collecting every problem of a catalogue change with its path in the file format."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import models

from onewindow.catalog.fileformat import CatalogueDocument, Problem
from onewindow.core.errors import InvalidInput
from onewindow.core.validation import errors_of

# Model field -> its place in the file format (relative to the version / step / item).
FIELD_PATHS = {
    "legal_limit_value": "legal_limit.value",
    "legal_limit_unit": "legal_limit.unit",
    "promised_limit_value": "promised_limit.value",
    "promised_limit_unit": "promised_limit.unit",
    "result_licence_type": "result.licence_type",
    "result_paper": "result.paper",
    "result_electronic": "result.electronic",
    "limit_value": "limit.value",
    "limit_unit": "limit.unit",
    "tier_county": "tiers",
    "tier_town": "tiers",
    "tier_village": "tiers",
    "source_seed": "source.seed",
    "source_note": "source.note",
}


def _join(base: str, sub: str) -> str:
    if not base:
        return sub
    return f"{base}.{sub}" if sub and not sub.startswith("[") else f"{base}{sub}"


class Problems:
    """Collects every error of a validation with its path (``items[3].version.materials[2].form``)."""

    def __init__(self) -> None:
        self.list: list[Problem] = []
        self._paths: set[str] = set()

    def add(self, path: str, message: str) -> None:
        self.list.append(Problem(path, str(message)))
        self._paths.add(path)

    def has(self, path: str) -> bool:
        """Is there already an error at ``path`` or at a place containing it?"""
        while path:
            if path in self._paths:
                return True
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return False

    def merge(self, other: Problems) -> None:
        """Add ``other``'s problems, except where this collection already reports the place."""
        for problem in other.list:
            if not self.has(problem.path):
                self.list.append(problem)
        for problem in other.list:
            self._paths.add(problem.path)

    def model(self, instance: models.Model, base: str, *, exclude: Sequence[str] = ()) -> None:
        """Run ``full_clean`` and add each field's errors at its path (once per path)."""
        try:
            instance.full_clean(exclude=list(exclude))
        except ValidationError as exc:
            for name, messages in errors_of(exc).items():
                path = base if name == "__all__" else _join(base, FIELD_PATHS.get(name, name))
                if self.has(path):
                    continue
                for message in messages:
                    self.add(path, message)

    def __bool__(self) -> bool:
        return bool(self.list)

    def raise_if_any(self, what: str, document: CatalogueDocument | None = None) -> None:
        if not self.list:
            return
        located = [document.locate(p) if document else p for p in self.list]
        shown = "；".join(str(p) for p in located[:5])
        more = f"；另有{len(located) - 5}处错误" if len(located) > 5 else ""
        raise InvalidInput(
            f"{what}有{len(located)}处错误，未做任何修改：{shown}{more}",
            errors=[p.as_dict() for p in located],
        )
