"""Starts the import profiler when ``import lambda_kit`` runs, if it is enabled.

The profiler itself (``lambda_kit.imports``) arrives with its own module; until
then this hook does nothing. It is its own module so that ``__init__`` stays a
plain list of names.
"""
