"""Git sources: clones shared per repository, revisions resolved, trees read at a commit, every path confined to the repo."""
