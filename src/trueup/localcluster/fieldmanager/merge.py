"""Merging an apply configuration into the live object (config wins).

Granular maps and structs merge key by key, set and map lists item by item (matched by
identity), everything else (scalars, atomic lists and maps, unknown-content lists) is replaced
by the config's value. A `null` config value on a non-empty granular container keeps the live
content. List order follows structured-merge-diff: config order for the items it names, live-only
items kept where they were.

The result is freshly built: live subtrees are copied, config subtrees are shared with `config`.
"""

from __future__ import annotations

from typing import Any

from ..jsoncopy import copy_json
from ..schema import SchemaNode
from .walk import granular, item_pe_lenient, list_mode


def merge(live: Any, config: Any, node: SchemaNode) -> Any:
    """`config` merged onto `live` under `node`."""
    if isinstance(config, dict):
        if isinstance(live, dict) and granular(node, config):
            out: dict[str, Any] = {}
            for k, lv in live.items():
                out[k] = merge(lv, config[k], node.field(k)) if k in config else copy_json(lv)
            for k, cv in config.items():
                if k not in live:
                    out[k] = cv
            return out
        return config
    if isinstance(config, list):
        if isinstance(live, list) and granular(node, config):
            return _merge_list(live, config, node)
        return config
    if config is None and isinstance(live, (dict, list)) and live and granular(node, live):
        return copy_json(live)
    return config


def _merge_list(live: list[Any], config: list[Any], node: SchemaNode) -> list[Any]:
    mode = list_mode(node)
    inode = node.item
    keys = node.list_keys
    lpes = [item_pe_lenient(x, node, mode, keys) for x in live]
    rpes = [item_pe_lenient(x, node, mode, keys) for x in config]
    lmap: dict[str, Any] = {}
    dup: set[str] = set()
    for pe, item in zip(lpes, live, strict=True):
        if pe is None:
            continue
        if pe in lmap:
            dup.add(pe)
        lmap[pe] = item if pe not in dup else None
    rset = {pe for pe in rpes if pe is not None}
    shared = [pe for pe in rpes if pe is not None and pe in lmap]
    si = 0
    out: list[Any] = []
    merged: set[str] = set()

    def take(pe: str | None, item: Any) -> None:
        nonlocal si
        if pe is not None:
            merged.add(pe)
            lchild = lmap.get(pe)
            out.append(merge(lchild, item, inode) if lchild is not None else item)
            if si < len(shared) and shared[si] == pe:
                si += 1
        else:
            out.append(item)

    li = ri = 0
    n_l, n_r = len(live), len(config)
    while li < n_l or ri < n_r:
        if li < n_l and ri < n_r:
            lpe = lpes[li]
            if lpe is not None and lpe == rpes[ri]:
                take(rpes[ri], config[ri])
                li += 1
                ri += 1
                continue
            if lpe in rset and si < len(shared) and shared[si] != lpe:
                li += 1
                continue
        if li < n_l:
            lpe = lpes[li]
            if lpe is None or lpe not in rset:
                out.append(copy_json(live[li]))
                li += 1
                continue
            if lpe in merged:
                li += 1
                continue
        if ri < n_r:
            take(rpes[ri], config[ri])
            ri += 1
        else:
            li += 1  # a shared live item whose config twin was already merged
    return out


__all__ = ["merge"]
