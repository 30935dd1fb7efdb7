"""``lambda-kit layer``: a Lambda layer zip of lambda_kit for a target runtime and architecture.

    lambda-kit layer --python 3.12 --arch arm64 -o layer.zip --with otel

The zip holds ``python/lambda_kit`` and its dependencies as the target's own
wheels (fetched by pip for that platform, whatever this machine is), bytecode
for the target when an interpreter of its version is at hand, and the exec
wrapper at ``/opt/python/lambda_kit/imports/exec_wrapper.sh``. Nothing here is
imported by ``import lambda_kit``.
"""

from __future__ import annotations

from lambda_kit.layer.build import Layer, build_layer
from lambda_kit.layer.targets import ARCHITECTURES, PYTHONS, BadInput, LayerError, Target

__all__ = ["ARCHITECTURES", "PYTHONS", "BadInput", "Layer", "LayerError", "Target", "build_layer"]
