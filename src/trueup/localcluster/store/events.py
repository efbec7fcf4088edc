"""The watch event value type shared by the store, its subscribers and the API server.

Pure module. A `WatchEvent` is immutable and shared by every subscriber that receives it:
consumers must treat `object` and `prev` as read-only (copy before mutating).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

ADDED: Final = "ADDED"
MODIFIED: Final = "MODIFIED"
DELETED: Final = "DELETED"

JSONObject = dict[str, Any]


@dataclass(frozen=True, slots=True)
class WatchEvent:
    """One committed write.

    `object` is the object as written, with `metadata.resourceVersion == str(rv)`; for DELETED it is
    the object as last seen, stamped with the deletion's rv. `prev` is the stored object before the
    write (None for ADDED): filtered watches use it to turn MODIFIED into ADDED/DELETED.
    """

    type: str
    rv: int
    resource: str
    namespace: str
    name: str
    object: JSONObject
    prev: JSONObject | None
