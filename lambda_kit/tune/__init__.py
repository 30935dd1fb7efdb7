"""``lambda-kit tune``: right-size a function from real local runs.

The handler runs through the local runtime of ``lambda-kit invoke`` at each
memory size, with the memory capped and the CPU capped in proportion to memory
(1,769 MB = one vCPU), and the sizes are compared on cost and speed:

    from lambda_kit.tune import tune, choose, candidates
    t = tune("examples/cpu_bound.py:handler", b"{}", [256, 1769], invocations=5)
    choose(candidates(t)).cheapest      # 1769

Modules: ``cpu`` (the CPU quota), ``measure`` (running and summing up),
``choice`` (cheapest / fastest / balanced), ``output`` (table, JSON, progress),
``html`` (the chart), ``calibrate`` (this machine against Lambda), ``cli``.
Nothing here is imported by ``import lambda_kit``.
"""

from __future__ import annotations

from lambda_kit.tune.choice import Candidate, Choice, choose
from lambda_kit.tune.measure import SizeResult, Tuning, tune
from lambda_kit.tune.output import candidates, to_json

__all__ = ["Candidate", "Choice", "SizeResult", "Tuning", "candidates", "choose", "to_json", "tune"]
