"""AWS X-Ray: a ``## handler`` subsegment per invocation, annotated from the record.

Uses ``aws-xray-sdk`` (the ``xray`` extra), imported only when this sink is
enabled (``@instrument(xray=True)`` or ``LAMBDA_KIT_XRAY=1``). On Lambda with
active tracing, the function's segment belongs to Lambda; the SDK gives us a
stand-in for it from ``_X_AMZN_TRACE_ID`` and streams each closed subsegment to
the X-Ray daemon over UDP (``AWS_XRAY_DAEMON_ADDRESS``). Off Lambda (``lambda-kit
invoke``, tests) the sink opens a segment named after the service itself.

What lands in X-Ray:
- ``## handler``: spans the handler call, so the handler's own subsegments
  (boto3, requests patched by the SDK) nest under it. Annotations (indexed,
  searchable with filter expressions such as ``annotation.ColdStart = true``):
  ``ColdStart``, ``Service``, ``InitType``; metadata ``lambda_kit.invocation``:
  the whole record. An exception marks it as a fault with the stack.
- on a cold start, ``## init``: one subsegment per init phase, laid end to end
  from the process start, as the record's ``init`` gives them.

Annotation names and value types follow the X-Ray segment document
(docs.aws.amazon.com/xray/latest/devguide/xray-api-segmentdocuments.html):
alphanumeric keys, string, number or boolean values.
"""

from __future__ import annotations

import os
import traceback
from typing import TYPE_CHECKING, Any

from aws_xray_sdk.core import xray_recorder
from aws_xray_sdk.core.lambda_launcher import LambdaContext

from lambda_kit import settings

if TYPE_CHECKING:
    from lambda_kit.sinks.protocol import StartEvent


def _trace_header() -> dict[str, str]:
    raw = os.environ.get(settings.TRACE_ID) or ""
    return dict(p.strip().partition("=")[::2] for p in raw.split(";") if "=" in p)


class _Started:
    __slots__ = ("origin_ns", "own_segment", "subsegment")

    def __init__(self, subsegment: Any, own_segment: bool, origin_ns: int) -> None:
        self.subsegment = subsegment
        self.own_segment = own_segment
        self.origin_ns = origin_ns  # when the process started (time.time_ns), for init


class XRaySink:
    """Writes each invocation to X-Ray as a ``## handler`` subsegment (see the module).

    >>> @instrument(xray=True)          # or LAMBDA_KIT_XRAY=1
    ... def handler(event, context): ...
    """

    __slots__ = ("recorder",)

    def __init__(self, recorder: Any = None) -> None:
        self.recorder = recorder if recorder is not None else xray_recorder

    def start(self, call: StartEvent) -> _Started | None:
        """Open ``## handler`` (and, off Lambda, a segment to hold it)."""
        start_ns = call.wall_ns
        recorder = self.recorder
        own_segment = not isinstance(recorder.context, LambdaContext)
        if own_segment:
            name = call.function_name or "lambda_kit"
            # the trace Lambda would have given us, if the caller set one; sampled unless
            # it says otherwise (the SDK's own sampler would poll a daemon for rules)
            header = _trace_header()
            segment = recorder.begin_segment(
                name,
                traceid=header.get("Root"),
                parent_id=header.get("Parent"),
                sampling=0 if header.get("Sampled") == "0" else 1,
            )
            segment.start_time = start_ns / 1e9
        subsegment = recorder.begin_subsegment("## handler")
        if subsegment is None:
            if own_segment:
                recorder.end_segment()
            return None
        subsegment.start_time = start_ns / 1e9
        return _Started(subsegment, own_segment, call.env.process_start_ns)

    def finish(
        self, state: _Started | None, record: dict[str, Any] | None, exc: BaseException | None
    ) -> None:
        """Annotate and close ``## handler``; add ``## init`` on a cold start."""
        if state is None:
            return
        recorder = self.recorder
        sub = state.subsegment
        try:
            if record is not None and sub.sampled:
                sub.put_annotation("ColdStart", bool(record.get("cold_start")))
                sub.put_annotation("Service", str(record.get("service")))
                sub.put_annotation("InitType", str(record.get("init_type")))
                sub.put_metadata("invocation", record, "lambda_kit")
            if exc is not None and sub.sampled:
                stack = traceback.extract_tb(exc.__traceback__)
                sub.add_exception(exc, stack)
        finally:
            recorder.end_subsegment()
        try:
            init = record.get("init") if record is not None else None
            if isinstance(init, dict) and sub.sampled:
                self._init_subsegments(init, state.origin_ns)
        finally:
            if state.own_segment:
                recorder.end_segment()

    def _init_subsegments(self, init: dict[str, Any], origin_ns: int) -> None:
        recorder = self.recorder
        origin = origin_ns / 1e9
        total = init.get("total_ms")
        phases = init.get("phases")
        if not isinstance(phases, dict):
            phases = {}
        outer = recorder.begin_subsegment("## init")
        if outer is None:
            return
        outer.start_time = origin
        at = origin
        try:
            for key, ms in phases.items():
                if not isinstance(ms, (int, float)) or isinstance(ms, bool) or ms < 0:
                    continue
                phase = key[:-3] if key.endswith("_ms") else key
                sub = recorder.begin_subsegment(f"## init.{phase}")
                if sub is not None:
                    sub.start_time = at
                    recorder.end_subsegment(at + ms / 1000)
                at += ms / 1000
        finally:
            end = origin + total / 1000 if isinstance(total, (int, float)) else at
            recorder.end_subsegment(max(end, at))


__all__ = ["XRaySink"]
