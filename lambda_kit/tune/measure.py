"""Run a handler at each memory size, CPU scaled as Lambda scales it, and sum up what it did.

    from lambda_kit.tune.measure import tune
    t = tune("examples/cpu_bound.py:handler", b"{}", [256, 1769], invocations=5)
    [(r.memory_mb, r.duration_ms_p50) for r in t.results]

Each size gets ``cold_starts`` fresh environments (the local runtime of
``lambda-kit invoke``: memory capped by a cgroup or a watchdog); the first
invocation of each is a cold start and is reported apart from the warm ones.
A size stops at its first failure (out of memory, timeout, init failure, handler
error): it is out of the running and its failure is what the report says of it.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from lambda_kit.local.function import BadInput, Function
from lambda_kit.local.results import InitFailed, Result
from lambda_kit.tune.cpu import Controller, CpuCap, find_controller, lambda_vcpus, machine_cpus

CPU_CAPS = ("auto", "cgroup", "none")

#: progress(sizes done, sizes, memory_mb now, invocations done at it, invocations at it)
Progress = Callable[[int, int, int, int, int], None]


def invocation_usd(memory_mb: int, billed_ms: int, region: str, architecture: str) -> float:
    """What one invocation of ``billed_ms`` at ``memory_mb`` costs: request + compute.

    The one place tune reaches into the billing rules (lambda_kit.billing): the
    month's first volume tier, no free tier, no extra ephemeral storage.
    """
    from lambda_kit.billing import invocation_cost_usd

    return invocation_cost_usd(memory_mb, billed_ms, architecture, region=region)


def check_prices(region: str, architecture: str) -> str:
    """The price source for ``region``/``architecture``; ``BadInput`` when there is none."""
    from lambda_kit.billing import prices

    try:
        return prices(region, architecture).source
    except ValueError as exc:
        raise BadInput(str(exc)) from None


def check_handler(fn: Function) -> None:
    """``BadInput`` when the handler's module, or the function in it, plainly is not there.

    Read, not imported: the module is looked for in the task root and its top
    level scanned for the name. A module that makes names dynamically (``import *``,
    a module ``__getattr__``) or lives elsewhere on the path is left to the runtime.
    """
    import ast

    base = os.path.join(fn.task_root, *fn.module.split("."))
    path = next(
        (p for p in (base + ".py", os.path.join(base, "__init__.py")) if os.path.isfile(p)), None
    )
    if path is None:
        import importlib.util

        if importlib.util.find_spec(fn.module.partition(".")[0]) is None:
            raise BadInput(f"no module {fn.module!r} in {fn.task_root} (handler {fn.handler})")
        return
    try:
        with open(path, "rb") as f:
            tree = ast.parse(f.read(), path)
    except (OSError, SyntaxError, ValueError):
        return  # the runtime reports it, as Lambda's would (Runtime.UserCodeSyntaxError)
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.ImportFrom | ast.Import):
            for alias in node.names:
                if alias.name == "*":
                    return
                names.add((alias.asname or alias.name).partition(".")[0])
        else:
            names.update(n.id for n in ast.walk(node) if isinstance(n, ast.Name))
    if fn.function not in names and "__getattr__" not in names:
        raise BadInput(f"{path} has no {fn.function!r} (handler {fn.handler})")


def percentile(values: list[float], p: float) -> float | None:
    """The ``p``-th percentile, interpolated between closest ranks; None for no values.

    >>> percentile([10.0, 20.0, 30.0, 40.0], 50), percentile([5.0], 99)
    (25.0, 5.0)
    """
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100.0
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


class SizeResult:
    """What the handler did at one memory size: warm and cold figures, and any failure."""

    def __init__(self, memory_mb: int, vcpus: float | None) -> None:
        self.memory_mb = memory_mb
        self.vcpus = vcpus  # what it got here; None when the CPU was not capped
        self.warm_ms: list[float] = []
        self.warm_billed_ms: list[int] = []
        self.warm_usd: list[float] = []
        self.cold_ms: list[float] = []
        self.cold_init_ms: list[float] = []
        self.cold_billed_ms: list[int] = []
        self.cold_usd: list[float] = []
        self.max_memory_used_mb = 0
        self.failure: str | None = None  # "oom", "timeout", "init_error", "error"
        self.failure_message = ""

    @property
    def ok(self) -> bool:
        """Every invocation succeeded and there is a warm one to judge by."""
        return self.failure is None and bool(self.warm_ms)

    @property
    def lambda_vcpus(self) -> float:
        """The vCPUs Lambda gives this size."""
        return lambda_vcpus(self.memory_mb)

    def duration_ms(self, p: float) -> float | None:
        """A percentile of the warm durations."""
        return percentile(self.warm_ms, p)

    @property
    def cost_usd_per_invocation(self) -> float | None:
        """Mean cost of a warm invocation (each billed on its own, as AWS bills)."""
        return sum(self.warm_usd) / len(self.warm_usd) if self.warm_usd else None

    def add(self, result: Result, region: str, architecture: str) -> None:
        """Count one invocation; sets ``failure`` when it did not succeed."""
        report = result.report
        usd = invocation_usd(self.memory_mb, report.billed_duration_ms, region, architecture)
        self.max_memory_used_mb = max(self.max_memory_used_mb, report.max_memory_used_mb)
        if result.status != "success":
            self.fail(_kind(result.status, result.error_type), result.payload)
            return
        if result.cold_start:
            self.cold_ms.append(report.duration_ms)
            self.cold_init_ms.append(report.init_duration_ms or 0.0)
            self.cold_billed_ms.append(report.billed_duration_ms)
            self.cold_usd.append(usd)
        else:
            self.warm_ms.append(report.duration_ms)
            self.warm_billed_ms.append(report.billed_duration_ms)
            self.warm_usd.append(usd)

    def fail(self, kind: str, payload: bytes) -> None:
        """Record the size's (first) failure."""
        if self.failure is None:
            self.failure = kind
            self.failure_message = _message(payload)


class Tuning:
    """A whole run: one ``SizeResult`` per size, and how (or whether) the CPU was scaled."""

    def __init__(self, handler: str, region: str, architecture: str) -> None:
        self.handler = handler
        self.region = region
        self.architecture = architecture
        self.results: list[SizeResult] = []
        self.cpu_interface: str | None = None  # None: durations are unscaled
        self.notes: list[str] = []
        self.machine_cpus = machine_cpus()
        self.invocations = 0
        self.cold_starts = 0
        self.timeout_s = 0.0
        self.price_source = ""


class _TunedFunction(Function):
    """A function whose runtime first moves itself under a CPU cap."""

    prefix: list[str] = []

    def command(self) -> list[str]:
        return [*self.prefix, *super().command()]


class _Stop(Exception):
    """A size failed: no point in invoking it again."""


def tune(
    handler: str,
    event: bytes,
    sizes: list[int],
    *,
    invocations: int = 10,
    cold_starts: int = 1,
    timeout_s: float = 3.0,
    architecture: str = "x86_64",
    region: str = "us-east-1",
    env: dict[str, str] | None = None,
    memory_cap: str = "auto",
    cpu_cap: str = "auto",
    progress: Progress | None = None,
) -> Tuning:
    """Measure ``handler`` at each of ``sizes`` (MB); ``BadInput`` for bad settings."""
    if invocations < 1:
        raise BadInput(f"-n {invocations}: give at least one warm invocation per size")
    if cold_starts < 1:
        raise BadInput(f"--cold {cold_starts}: give at least one cold start per size")
    if cpu_cap not in CPU_CAPS:
        raise BadInput(f"cpu cap {cpu_cap!r} is not one of {', '.join(CPU_CAPS)}")
    tuning = Tuning(handler, region, architecture)
    tuning.invocations, tuning.cold_starts, tuning.timeout_s = invocations, cold_starts, timeout_s
    tuning.price_source = check_prices(region, architecture)
    # every setting is checked before anything runs: Function raises BadInput
    fns = [
        _TunedFunction(
            handler,
            memory_mb=mb,
            timeout_s=timeout_s,
            architecture=architecture,
            region=region,
            env=env,
            memory_cap=memory_cap,
        )
        for mb in sizes
    ]
    check_handler(fns[0])
    controller = _controller(cpu_cap, tuning)
    for i, fn in enumerate(fns):
        tuning.results.append(_measure_size(fn, event, controller, tuning, i, len(fns), progress))
    return tuning


def _controller(cpu_cap: str, tuning: Tuning) -> Controller | None:
    if cpu_cap == "none":
        tuning.notes.append("CPU not capped (--cpu-cap none): durations are unscaled")
        return None
    controller, why = find_controller()
    if controller is None:
        if cpu_cap == "cgroup":
            raise BadInput(f"no CPU cgroup is writable here ({why}); use --cpu-cap auto or none")
        tuning.notes.append(
            f"no CPU cgroup is writable here ({why}): durations are unscaled, "
            "every size ran with the whole machine's CPU"
        )
        return None
    tuning.cpu_interface = controller.interface
    cpus = tuning.machine_cpus
    tuning.notes.append(
        f"CPU capped by {controller.interface}: memory / 1769 MB vCPUs, as Lambda allocates it"
    )
    tuning.notes.append(
        f"this machine has {cpus} CPU{'s' * (cpus != 1)}: sizes above {cpus * 1769} MB get "
        f"{cpus} here (Lambda: up to 6 vCPUs at 10,240 MB)"
    )
    return controller


def _measure_size(
    fn: _TunedFunction,
    event: bytes,
    controller: Controller | None,
    tuning: Tuning,
    index: int,
    count: int,
    progress: Progress | None,
) -> SizeResult:
    from lambda_kit.local.runner import run_environment

    cap = None
    if controller is not None:
        try:
            cap = CpuCap.create(
                controller, fn.memory_mb, f"lambda-kit-tune-{os.getpid()}-{fn.memory_mb}"
            )
        except OSError as exc:
            raise BadInput(
                f"cannot cap the CPU for {fn.memory_mb} MB: {exc.strerror or exc}"
            ) from exc
        fn.prefix = cap.wrap()
    size = SizeResult(fn.memory_mb, cap.vcpus if cap is not None else None)
    total = tuning.invocations + tuning.cold_starts
    done = 0

    def on_result(result: Result) -> None:
        nonlocal done
        done += 1
        size.add(result, tuning.region, tuning.architecture)
        if progress is not None:
            progress(index, count, fn.memory_mb, done, total)
        if size.failure is not None:
            raise _Stop

    if progress is not None:
        progress(index, count, fn.memory_mb, 0, total)
    try:
        for k in range(tuning.cold_starts):
            warm = tuning.invocations // tuning.cold_starts
            warm += k < tuning.invocations % tuning.cold_starts
            run = run_environment(fn, [event] * (1 + warm), log=_discard, on_result=on_result)
            if run.init_error is not None:
                size.fail(_init_kind(run.init_error), run.init_error.payload)
                break
    except _Stop:
        pass
    finally:
        if cap is not None:
            cap.remove()
    return size


def _discard(line: str) -> None:
    """The handler's log lines are not part of the report."""


def _kind(status: str, error_type: str | None) -> str:
    if status == "timeout":
        return "timeout"
    if error_type == "Runtime.OutOfMemory":
        return "oom"
    return "error"


def _init_kind(failed: InitFailed) -> str:
    if failed.error_type == "Runtime.OutOfMemory":
        return "oom"
    if failed.status == "timeout":
        return "timeout"
    return "init_error"


def _message(payload: bytes) -> str:
    import json

    try:
        data = json.loads(payload)
        # the environment's errors name their request id; one id says nothing in a summary
        text = str(data.get("errorMessage", ""))
        if text.startswith("RequestId: ") and " Error: " in text:
            text = text.partition(" Error: ")[2]
        msg = f"{data.get('errorType', '')}: {text}".strip(": ")
    except (ValueError, AttributeError):
        msg = ""
    return msg or payload.decode("utf-8", "replace")[:200]
