"""Import HRIS exports (rosters and job histories) into org bundles.

>>> from orgraph.importing import import_file, infer_mapping, load_mapping
>>> callable(import_file) and callable(infer_mapping) and callable(load_mapping)
True

See ``docs/importing.md`` for the mapping format and the rules applied.
"""
from __future__ import annotations

from .dates import DateParser, detect_format
from .importer import import_file
from .infer import infer_mapping
from .mapping import Mapping, ValueMap, load_mapping
from .names import NameIndex, name_tokens
from .writer import format_summary

__all__ = ["import_file", "infer_mapping", "load_mapping", "Mapping", "ValueMap", "detect_format", "DateParser",
           "NameIndex", "name_tokens", "format_summary"]
