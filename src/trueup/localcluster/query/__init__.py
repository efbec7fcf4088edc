"""Pure query machinery: label and field selectors, and meta.k8s.io/v1 Tables for `kubectl get`."""

from .fields import FieldRequirement, FieldSelector, parse_field_selector, supported_fields
from .jsonpath import JSONPathError
from .jsonpath import find as jsonpath_find
from .labels import (
    LabelSelector,
    Requirement,
    parse_label_selector,
    selector_from_label_selector_object,
)
from .printers_base import Column, Printer, human_duration
from .tables import PRINTERS, printer_for, table_row_event, to_table

__all__ = [
    "PRINTERS",
    "Column",
    "FieldRequirement",
    "FieldSelector",
    "JSONPathError",
    "LabelSelector",
    "Printer",
    "Requirement",
    "human_duration",
    "jsonpath_find",
    "parse_field_selector",
    "parse_label_selector",
    "printer_for",
    "selector_from_label_selector_object",
    "supported_fields",
    "table_row_event",
    "to_table",
]
