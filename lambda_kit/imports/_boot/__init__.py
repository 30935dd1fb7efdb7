"""Holds ``sitecustomize.py``, which the exec wrapper puts on ``PYTHONPATH``."""
