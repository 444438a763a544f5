"""Venue adapters for `unified`: one folder per venue. Marker only; nothing is imported eagerly."""

#: Lets the registry tell this package from PyPI's unrelated `adapters` distribution.
UNIFIED_ADAPTERS = True
