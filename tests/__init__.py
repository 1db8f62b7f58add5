"""tnorder's test suite (see ``tests/README.md``).

A package so that test modules may share basenames across folders and import
the shared helpers as ``tests.support`` from any working directory.
"""
