"""Shared data sources for 免证办理: a material the catalogue marks ``satisfied_by`` need not be
supplied when a source vouches for it.

A material's ``satisfied_by`` is ``licence:<licence type name>`` (an e-licence in a licence
library) or ``data:<source>`` (a shared data source, e.g. ``data:applicant_registry``). Each
source implements ``SharedDataSource.satisfies(spec, applicant)`` and returns ``Evidence`` or
``None`` (not satisfied, or not a spec it knows). Sources are asked in order; the first evidence
wins. The configured list is ``data_sources()``: our licence library and applicant registry, then
an external registry over HTTP when ``ONEWINDOW_EXTERNAL_REGISTRY_URL`` is set.

An unreachable external registry never blocks intake: it logs and answers ``None``, and the
applicant is asked for the material as before.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode, urlsplit
from urllib.request import Request, urlopen

from django.conf import settings

from onewindow.core.timeutil import now
from onewindow.licences.selectors import licence_valid_of_type

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Evidence:
    """Why a material need not be supplied: which source vouched, with what reference."""

    spec: str  # the material's satisfied_by, e.g. "licence:营业执照"
    source: str  # the source's name, e.g. "licence_library"
    reference: str  # a licence number or the external record's id
    summary: str  # Chinese, for the case file: "电子证照 营业执照 YZ…（有效期至 长期）"
    retrieved_at: dt.datetime
    licence_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class SharedDataSource(Protocol):
    name: str

    def satisfies(self, spec: str, applicant: Any) -> Evidence | None: ...


def _split(spec: str) -> tuple[str, str]:
    kind, _sep, name = (spec or "").partition(":")
    return kind.strip(), name.strip()


class LicenceLibrarySource:
    """``licence:<type>``: the applicant holds a valid, unexpired licence of that type here."""

    name = "licence_library"

    def satisfies(self, spec: str, applicant: Any) -> Evidence | None:
        kind, type_name = _split(spec)
        if kind != "licence" or not type_name or getattr(applicant, "pk", None) is None:
            return None
        licence = licence_valid_of_type(holder=applicant, type_name=type_name)
        if licence is None:
            return None
        until = licence.expires_on.isoformat() if licence.expires_on else "长期"
        return Evidence(
            spec=spec,
            source=self.name,
            reference=licence.number,
            summary=f"电子证照 {type_name} {licence.number}（有效期至 {until}）",
            retrieved_at=now(),
            licence_id=licence.pk,
        )


class ApplicantRegistrySource:
    """``data:applicant_registry``: the identity data of a registered applicant (身份信息)."""

    name = "applicant_registry"

    def satisfies(self, spec: str, applicant: Any) -> Evidence | None:
        kind, source = _split(spec)
        if (kind, source) != ("data", "applicant_registry") or getattr(applicant, "pk", None) is None:
            return None
        return Evidence(
            spec=spec,
            source=self.name,
            reference=f"applicant:{applicant.pk}",
            summary=f"申请人信息库：{applicant.name}（{applicant.masked_id_number}）",
            retrieved_at=now(),
            data={"name": applicant.name, "kind": applicant.kind},
        )


class HttpRegistrySource:
    """An external shared-data registry (e.g. the province's data-sharing exchange) over HTTP.

    Protocol: ``GET <base_url>/evidence?spec=<spec>&id_number=<id>`` answers JSON
    ``{"satisfied": bool, "reference": str, "summary": str, "data": {...}}``; 404 means no record.
    Only the specs in ``specs`` are asked (default: every ``data:`` spec). Errors, timeouts and
    malformed answers are logged and count as "not satisfied".
    """

    def __init__(
        self,
        *,
        base_url: str,
        name: str = "external_registry",
        timeout: float = 3.0,
        specs: Iterable[str] = (),
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"external registry URL must be http(s)://host/..., not {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.name = name
        self.timeout = timeout
        self.specs = frozenset(specs)

    def _asks(self, spec: str) -> bool:
        return spec in self.specs if self.specs else _split(spec)[0] == "data"

    def satisfies(self, spec: str, applicant: Any) -> Evidence | None:
        id_number = getattr(applicant, "id_number", "")
        if not self._asks(spec) or not id_number:
            return None
        url = f"{self.base_url}/evidence?{urlencode({'spec': spec, 'id_number': id_number})}"
        request = Request(url, headers={"Accept": "application/json"})  # noqa: S310 - scheme checked above
        try:
            with urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - scheme checked above
                body = json.loads(response.read(1_000_000).decode("utf-8"))
        except HTTPError as exc:
            if exc.code != 404:
                log.warning("%s: %s answered HTTP %s", self.name, spec, exc.code)
            return None
        except (URLError, TimeoutError, OSError, ValueError) as exc:
            log.warning("%s unavailable for %s: %s", self.name, spec, exc)
            return None
        if not isinstance(body, dict) or body.get("satisfied") is not True:
            return None
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
        return Evidence(
            spec=spec,
            source=self.name,
            reference=str(body.get("reference", ""))[:100],
            summary=str(body.get("summary", "") or f"共享数据：{spec}")[:200],
            retrieved_at=now(),
            data=data,
        )


def data_sources() -> list[SharedDataSource]:
    """The configured sources, in the order they are asked."""
    sources: list[SharedDataSource] = [LicenceLibrarySource(), ApplicantRegistrySource()]
    url = getattr(settings, "ONEWINDOW_EXTERNAL_REGISTRY_URL", "")
    if url:
        sources.append(HttpRegistrySource(base_url=url))
    return sources


def evidence_for(
    spec: str, applicant: Any, *, sources: Iterable[SharedDataSource] | None = None
) -> Evidence | None:
    """The first source's evidence for ``spec``, or ``None``."""
    for source in data_sources() if sources is None else sources:
        evidence = source.satisfies(spec, applicant)
        if evidence is not None:
            return evidence
    return None


def materials_satisfied(
    *, applicant: Any, requirements: Iterable[Any], sources: Iterable[SharedDataSource] | None = None
) -> dict[str, Evidence]:
    """Which required materials the applicant need not supply (免证办理), with the evidence.

    For each requirement whose material has a ``satisfied_by``, ask the sources. Duck-typed: reads
    ``requirement.material.key`` and ``requirement.material.satisfied_by`` only. Returns
    ``{material key: Evidence}``; materials without evidence are absent (ask the applicant).
    """
    sources = list(data_sources() if sources is None else sources)
    found: dict[str, Evidence] = {}
    for requirement in requirements:
        material = getattr(requirement, "material", None)
        key = getattr(material, "key", "")
        spec = getattr(material, "satisfied_by", "") or ""
        if not key or not spec or key in found:
            continue
        evidence = evidence_for(spec, applicant, sources=sources)
        if evidence is not None:
            found[key] = evidence
    return found
