"""Table printer for custom resources: NAME, the CRD's additionalPrinterColumns, then AGE.

Mirrors apiextensions-apiserver's tableconvertor: each column's JSONPath takes its first match,
converted by the column type (integer, number, boolean, string, date → human age); a missing
value is a null cell. AGE is appended unless the CRD already declares a column named Age.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..resources import PrinterColumn, ResourceType
from . import jsonpath
from .printers_base import NAME, Column, Printer, age, human_duration, name_of, parse_time

CR_AGE = Column("Age", "date", "", "CreationTimestamp is a timestamp representing the server time when "
                "this object was created.")


def cell_for_value(column_type: str, value: Any, now: datetime) -> Any:
    """cellForJSONValue: the typed cell of a JSONPath match (None when the type does not fit)."""
    if value is None:
        return None
    if column_type == "string":
        return jsonpath.format_value(value)
    if column_type == "integer":
        if isinstance(value, bool):
            return None
        if isinstance(value, (int, float)):
            return int(value)
        return None
    if column_type == "number":
        if isinstance(value, bool):
            return None
        return float(value) if isinstance(value, (int, float)) else None
    if column_type == "boolean":
        return value if isinstance(value, bool) else None
    if column_type == "date":
        if isinstance(value, str):
            ts = parse_time(value)
            if ts is None:
                return "<invalid>"
            return human_duration((now - ts).total_seconds())
        return None
    return None


def _column_cell(col: PrinterColumn, obj: Mapping[str, Any], now: datetime) -> Any:
    try:
        found = jsonpath.find(col.json_path, obj)
    except jsonpath.JSONPathError:
        return None
    if not found:
        return None
    return cell_for_value(col.type, found[0], now)


def custom_printer(rt: ResourceType) -> Printer:
    """The printer for one custom resource version, from its printer columns."""
    cols = rt.printer_columns
    has_age = any(c.name.lower() == "age" for c in cols)
    columns = (
        NAME,
        *(Column(c.name, c.type, c.format, c.description, c.priority) for c in cols),
        *(() if has_age else (CR_AGE,)),
    )

    def row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
        cells: list[Any] = [name_of(obj)]
        cells.extend(_column_cell(c, obj, now) for c in cols)
        if not has_age:
            cells.append(age(obj, now))
        return cells

    return Printer(columns, row)
