"""Imports every app's importers so that they register themselves; apps add a line here."""

from importlib import import_module

IMPORTER_MODULES = (
    "portal.importers",
    "patents.importers",
    "demands.importers",
    "finance.importers",
)

for module in IMPORTER_MODULES:
    try:
        import_module(module)
    except ModuleNotFoundError as exc:
        # An app without importers yet; any other missing module is a real error.
        if exc.name != module:
            raise
