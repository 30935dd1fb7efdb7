"""The default sink: one JSON line per invocation (``lambda_kit.instrument.JsonLineSink``)."""

from lambda_kit.instrument import JsonLineSink

__all__ = ["JsonLineSink"]
