"""The default sink: one JSON line per invocation (``lambda_kit._output.JsonLineSink``)."""

from lambda_kit._output import JsonLineSink

__all__ = ["JsonLineSink"]
