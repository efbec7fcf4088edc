"""Continuous reconciliation of Applications (placeholder)."""
