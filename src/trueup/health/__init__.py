"""Health: built-in checks per kind, Argo CD Lua scripts and CEL expressions, and the roll-up to an app status."""
