"""CLI reports, one module per part of the product; each module has `register(add)`.

`add(name, Report(...))` adds a report of CLI.md; retention.cli imports every module here.
"""
