"""Pure simulation data and logic (kubelet stages, failure modes); no I/O."""
