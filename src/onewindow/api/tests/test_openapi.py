"""The OpenAPI document: valid, one name per schema (ninja keeps one class per name, so two
classes of one name documented one endpoint with the other's schema), and every endpoint answers
as documented under a bounded schemathesis run (the case endpoints have their own run in
``cases/tests/test_fuzz.py``; this one covers the rest)."""

from __future__ import annotations

from collections import defaultdict

import pytest
import schemathesis
from ninja import Schema

from onewindow.api.main import api
from onewindow.cases.tests.test_fuzz import fuzz_operations, signed_in_cookies


def _schema_classes() -> list[type[Schema]]:
    found, stack = [], [Schema]
    while stack:
        for sub in stack.pop().__subclasses__():
            stack.append(sub)
            if sub.__module__.startswith("onewindow.") and ".tests." not in sub.__module__:
                found.append(sub)
    return found


def test_the_openapi_document_is_valid_openapi():
    schemathesis.openapi.from_dict(api.get_openapi_schema()).validate()


def test_every_schema_class_has_a_name_of_its_own():
    modules: dict[str, set[str]] = defaultdict(set)
    for cls in _schema_classes():
        modules[cls.__name__].add(cls.__module__)
    assert {name: sorted(m) for name, m in modules.items() if len(m) > 1} == {}


def test_each_documented_schema_is_its_own_class():
    """What the document shows under a name is that class's own fields (not a namesake's)."""
    classes = {cls.__name__: cls for cls in _schema_classes()}
    components = api.get_openapi_schema()["components"]["schemas"]
    compared = 0
    for name, component in components.items():
        if name in classes and "properties" in component:
            fields = classes[name].model_fields
            names = [set(fields), {f.alias or n for n, f in fields.items()}]  # as written or as read
            assert set(component["properties"]) in names, name
            compared += 1
    assert compared >= 30
    assert {"MaterialOut", "ItemMaterialOut", "LicenceVerificationOut", "VerificationOut"} <= set(components)


@pytest.mark.django_db
def test_no_other_endpoint_answers_with_a_server_error_or_off_its_schema(hall, persona, settings):
    settings.ALLOWED_HOSTS = ["*"]
    tried, statuses = fuzz_operations(
        include=lambda path: "/cases/" not in path,
        cookies=signed_in_cookies(persona("admin")),  # a superuser: every permission check passes
        aim={"code": "430702-SCJG-0002", "dimension": "department", "number": "WL-1"},
    )
    assert len(tried) >= 25, tried
    assert 200 in statuses and statuses.count(403) < len(statuses) / 4  # past auth and CSRF
