"""The project's whole public surface, found by walking the URL resolver and the API's OpenAPI
document, so that a new page or endpoint is covered by the bad-input tests without being listed."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter

from onewindow.api.main import api

API_PREFIX = "api/v1/"
_PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
# Each method the API documents for a path; pages are tried with GET and POST.
PAGE_METHODS = ("get", "post")


@dataclass(frozen=True)
class Route:
    """One URL pattern: its route (``guide/item/<str:code>``), path parameters and methods."""

    route: str
    methods: tuple[str, ...]
    params: tuple[str, ...]
    int_params: frozenset[str] = frozenset()
    query: tuple[str, ...] = ()  # documented query parameters (API)
    date_query: tuple[str, ...] = ()  # documented query parameters of format date / date-time
    operations: dict[str, dict[str, Any]] = field(default_factory=dict, compare=False, hash=False)

    @property
    def is_api(self) -> bool:
        return self.route.startswith(API_PREFIX)

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")

    def url(self, **values: str) -> str:
        """The route with each path parameter filled in (``values``, else a harmless default),
        percent-encoded as a client would send it."""

        def fill(match: re.Match[str]) -> str:
            name = match.group("name")
            default = "1" if name in self.int_params else "x"
            return quote(values.get(name, default), safe="")

        return "/" + _PARAM.sub(fill, self.route)

    def body_methods(self) -> list[str]:
        return [m for m in self.methods if m in ("post", "put", "patch", "delete")]


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def _openapi_path(route: str) -> str:
    return "/" + _PARAM.sub(lambda m: "{" + m.group("name") + "}", route)


def _is_date(schema: dict[str, Any]) -> bool:
    options = [schema, *schema.get("anyOf", [])]
    return any(o.get("format") in ("date", "date-time") for o in options)


@functools.cache
def routes() -> tuple[Route, ...]:
    """Every URL pattern of the project (admin included), once, with the API's methods and
    query parameters from its OpenAPI document."""
    document = api.get_openapi_schema()
    found: dict[str, Route] = {}
    for route, pattern in _walk(get_resolver().url_patterns):
        if route in found or not isinstance(pattern, URLPattern):
            continue
        converters = getattr(pattern.pattern, "converters", {})
        params = tuple(m.group("name") for m in _PARAM.finditer(route))
        int_params = frozenset(n for n, c in converters.items() if isinstance(c, IntConverter))
        operations = document["paths"].get(_openapi_path(route), {}) if route.startswith(API_PREFIX) else {}
        if route.startswith(API_PREFIX) and not operations:
            methods: tuple[str, ...] = ("get",)  # the docs and the OpenAPI document themselves
        else:
            methods = tuple(operations) or PAGE_METHODS
        query = sorted(
            {p["name"] for op in operations.values() for p in op.get("parameters", []) if p["in"] == "query"}
        )
        dates = sorted(
            {
                p["name"]
                for op in operations.values()
                for p in op.get("parameters", [])
                if p["in"] == "query" and _is_date(p.get("schema", {}))
            }
        )
        found[route] = Route(route, methods, params, int_params, tuple(query), tuple(dates), operations)
    return tuple(found.values())


def string_fields(schema: dict[str, Any], document: dict[str, Any], value: Any, depth: int = 0) -> Any:
    """An instance of a request body ``schema`` whose every string is ``value`` (objects with all
    their properties, arrays with one element): aimed at the string handling of the endpoint."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return string_fields(document["components"]["schemas"][name], document, value, depth)
    options = schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf")
    if options:
        return string_fields(options[0], document, value, depth)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth > 4:
            return {}
        properties = schema.get("properties", {})
        if not properties:
            return {"key": value}
        return {k: string_fields(v, document, value, depth + 1) for k, v in properties.items()}
    if kind == "array":
        return [string_fields(schema.get("items", {}), document, value, depth + 1)]
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return True
    return value
