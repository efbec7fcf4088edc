"""`make bench` (or `python -m bench [apiserver|controllers|engine|reconcile ...]`): every benchmark suite in turn."""

from __future__ import annotations

import sys

from . import apiserver, controllers, engine, reconcile

SUITES = {"apiserver": apiserver.run, "controllers": controllers.run, "engine": engine.run,
          "reconcile": reconcile.run}


def main() -> None:
    names = sys.argv[1:] or list(SUITES)
    for name in names:
        print(f"\n## {name}\n", flush=True)
        SUITES[name]()


if __name__ == "__main__":
    main()
