"""Pure simulation data and logic for the embedded cluster's simulated nodes and kubelet.

- `stages.yaml` / `stages`: kubelet behaviour as data (kwok-style stages: selectors on a view of
  the Pod, delays with jitter per timing mode, the next container state, Events).
- `engine`: applies one stage to a Pod → the new status (as a kubelet computes it) and Events.
- `podstatus`: phase, conditions, image references, container IDs, QoS class.
- `nodes`: the simulated Nodes (labels, capacity, addresses, nodeInfo, conditions).
- `scheduling`: node feasibility and kube-scheduler's FailedScheduling wording.
- `network`: pod IP allocation per node.

No I/O: the controllers in `localcluster.controllers` do the API writes.
"""
