"""Label selectors: validation (metav1 LabelSelector) and matching against labels. Pure."""

from __future__ import annotations

from typing import Any

from trueup.localcluster.errors import Cause

from ._util import dicts
from .messages import forbidden, invalid, not_supported, required
from .names import label_value, qualified_name, validate_labels

OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


def validate_selector(selector: Any, field: str) -> list[Cause]:
    if not isinstance(selector, dict):
        return []
    causes = validate_labels(selector.get("matchLabels"), f"{field}.matchLabels")
    for i, expr in enumerate(dicts(selector.get("matchExpressions"))):
        path = f"{field}.matchExpressions[{i}]"
        op, values = expr.get("operator"), expr.get("values") or []
        if op in ("In", "NotIn") and not values:
            causes.append(required(f"{path}.values", "must be specified when `operator` is 'In' or 'NotIn'"))
        elif op in ("Exists", "DoesNotExist") and values:
            causes.append(forbidden(f"{path}.values",
                                    "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
        elif op not in OPERATORS:
            causes.append(not_supported(f"{path}.operator", op, OPERATORS))
        key = str(expr.get("key", ""))
        causes += [invalid(f"{path}.key", key, m) for m in qualified_name(key)]
        for j, value in enumerate(values if isinstance(values, list) else []):
            causes += [invalid(f"{path}.values[{j}]", value, m) for m in label_value(str(value))]
    return causes


def is_empty(selector: Any) -> bool:
    return not isinstance(selector, dict) or (not selector.get("matchLabels")
                                              and not selector.get("matchExpressions"))


def matches(selector: Any, labels: Any) -> bool:
    """Whether a LabelSelector selects the labels (an empty selector matches everything)."""
    if not isinstance(selector, dict):
        return True
    labels = labels if isinstance(labels, dict) else {}
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in dicts(selector.get("matchExpressions")):
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        present = key in labels
        if (op == "In" and (not present or labels[key] not in values)) or (
            op == "NotIn" and present and labels[key] in values
        ) or (op == "Exists" and not present) or (op == "DoesNotExist" and present):
            return False
    return True
