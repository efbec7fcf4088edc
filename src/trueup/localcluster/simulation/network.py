"""Pod IPs, pure: node `trueup-node-<i>` hands out 10.244.<i>.2 … 10.244.<i>.254 (its podCIDR;
.1 is the bridge). Simulated nodes are not limited to 110 Pods, so a node that runs out of its
/24 continues in 10.245.<i>.x … 10.255.<i>.x, then 10.112.<i>.x … 10.243.<i>.x (never the
Service range 10.96.0.0/12 nor the node range 10.0.0.0/24): ~36,000 IPs per node.

An IP stays taken while the Pod exists (even terminated Pods keep showing theirs), so IPs of
existing Pods are unique. Allocation is amortized O(1) (a cursor per node).
"""

from __future__ import annotations

_SECOND_OCTETS = (*range(244, 256), *range(112, 244))
_HOSTS = 253  # .2 … .254


def _ip(index: int, slot: int) -> str:
    block, host = divmod(slot, _HOSTS)
    return f"10.{_SECOND_OCTETS[block]}.{index}.{host + 2}"


class PodIPs:
    def __init__(self) -> None:
        self._used: dict[int, set[str]] = {}
        self._cursor: dict[int, int] = {}
        self._owner: dict[str, str] = {}  # ip → pod uid

    def reserve(self, index: int, ip: str, uid: str) -> None:
        """Mark an IP an existing Pod already has (from the cache, e.g. after a restart)."""
        self._used.setdefault(index, set()).add(ip)
        self._owner[ip] = uid

    def release(self, index: int, ip: str, uid: str) -> None:
        if self._owner.get(ip) == uid:
            del self._owner[ip]
            self._used.get(index, set()).discard(ip)

    def owner(self, ip: str) -> str | None:
        return self._owner.get(ip)

    def allocate(self, index: int, uid: str) -> str:
        used = self._used.setdefault(index, set())
        total = _HOSTS * len(_SECOND_OCTETS)
        if len(used) >= total:
            raise RuntimeError(f"node {index}: no pod IP left")
        slot = self._cursor.get(index, 0)
        while True:
            ip = _ip(index, slot % total)
            slot += 1
            if ip not in used:
                break
        self._cursor[index] = slot % total
        self.reserve(index, ip, uid)
        return ip
