"""Discovers venues: every adapters/<name>/ package declaring VENUE, and the ids its spec lists."""

from __future__ import annotations

import functools
import importlib
import pkgutil
from importlib import metadata

import attrs

from unified.errors import ConfigurationError
from unified.spec import VenueSpec, load_spec
from unified.venue import VenueDescriptor


@attrs.frozen
class Registered:
    id: str  # e.g. okcoin_v1
    descriptor: VenueDescriptor
    spec: VenueSpec

    @property
    def base_url(self) -> str:
        return self.spec.base_urls[self.id]


def _adapters_package() -> object:
    try:
        package = importlib.import_module("adapters")
    except ImportError:
        raise ConfigurationError("the `adapters` package of exchange-unified is missing") from None
    if not getattr(package, "UNIFIED_ADAPTERS", False):
        try:
            owner = metadata.distribution("adapters").metadata["Name"]
        except metadata.PackageNotFoundError:
            owner = "another distribution"
        raise ConfigurationError(
            f"the importable `adapters` package ({getattr(package, '__file__', '?')}) belongs to "
            f"{owner}, not exchange-unified; uninstall it or use a separate environment"
        )
    return package


@functools.cache
def venues() -> dict[str, Registered]:
    package = _adapters_package()
    found: dict[str, Registered] = {}
    for info in pkgutil.iter_modules(getattr(package, "__path__", [])):
        if not info.ispkg or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"adapters.{info.name}")
        descriptor = getattr(module, "VENUE", None)
        if not isinstance(descriptor, VenueDescriptor):
            continue
        spec = load_spec(descriptor.spec)
        for venue_id in spec.base_urls:
            found[venue_id] = Registered(venue_id, descriptor, spec)
    return dict(sorted(found.items()))


def get(venue_id: str) -> Registered:
    if not isinstance(venue_id, str):
        raise ConfigurationError(f"venue must be a string, got {venue_id!r}")
    registered = venues()
    try:
        return registered[venue_id]
    except KeyError:
        raise ConfigurationError(
            f"unknown venue {venue_id!r}; known venues: {', '.join(registered)}"
        ) from None
