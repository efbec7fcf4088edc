"""Diff: desired vs live without false drift (normalization, ignoreDifferences, Secret masking), as text and JSON."""
