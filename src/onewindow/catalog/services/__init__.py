"""Writes to the service catalogue, a module per section. Each service runs in one transaction
and leaves an audit event.

- ``validation``: every problem of a change collected with its path in the file format;
- ``items``: items and their immutable versions (a change to what an item requires creates a new
  `ServiceItemVersion` and moves ``current_version``; cases keep the version they were submitted
  under), devolution to and withdrawal from the town and village tiers;
- ``bundles``: 一件事 with their options, dependencies and 联合办理;
- ``importing``: the catalogue file import (docs/catalogue-format.md), all or nothing;
- ``files``: parsing, loading and exporting catalogue files, and the demo catalogue.

The public names are re-exported here, so ``from onewindow.catalog.services import …`` keeps working.
"""

from onewindow.catalog.services.bundles import BundleSpec, bundle_create, bundle_update
from onewindow.catalog.services.files import (
    DEMO_FILE,
    catalog_load_demo,
    catalogue_export,
    catalogue_load_file,
    catalogue_parse,
)
from onewindow.catalog.services.importing import ImportReport, catalogue_import
from onewindow.catalog.services.items import (
    REQUIREMENT_FIELDS,
    STEP_FIELDS,
    VERSION_FIELDS,
    content_hash,
    item_create,
    item_devolve,
    item_revise,
    search_initials,
)
from onewindow.catalog.services.validation import Problems

__all__ = [
    "DEMO_FILE",
    "REQUIREMENT_FIELDS",
    "STEP_FIELDS",
    "VERSION_FIELDS",
    "BundleSpec",
    "ImportReport",
    "Problems",
    "bundle_create",
    "bundle_update",
    "catalog_load_demo",
    "catalogue_export",
    "catalogue_import",
    "catalogue_load_file",
    "catalogue_parse",
    "content_hash",
    "item_create",
    "item_devolve",
    "item_revise",
    "search_initials",
]
