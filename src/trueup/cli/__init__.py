"""The `trueup` command line: a thin synchronous layer over the async packages."""
