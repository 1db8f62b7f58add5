"""Reference adapters for tnorder's ports.

Import the submodule you need (``tnorder.adapters.sqlite``, ...); this package
imports nothing eagerly so that optional dependencies stay optional.
"""
