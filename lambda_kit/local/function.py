"""What is being run: the handler, its settings, and the environment Lambda would give it.

Environment variables are those of the AWS Lambda docs, "Defined runtime
environment variables". ``AWS_LAMBDA_MAX_CONCURRENCY`` is set only for a
function run as on Lambda Managed Instances (``concurrency=N``): it switches
``awslambdaric`` into its multi-concurrent mode, N worker processes.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
import time

from lambda_kit import settings

ARCHITECTURES = ("x86_64", "arm64")
INIT_TYPES = ("on-demand", "provisioned-concurrency", "snap-start")
MEMORY_CAPS = ("auto", "cgroup", "watchdog")
#: Lambda's bounds on PerExecutionEnvironmentMaxConcurrency (AWS Lambda API reference,
#: LambdaManagedInstancesCapacityProviderConfig; botocore's lambda 2015-03-31 model)
MAX_CONCURRENCY = 1600
#: the Python runtime's default: 16 concurrent requests per vCPU (AWS Lambda docs, "Python
#: runtime for Lambda Managed Instances"); more processes than that per CPU of this
#: machine would measure the machine, not the function
WORKERS_PER_CPU = 16
#: AWS_LAMBDA_INITIALIZATION_TYPE on Lambda Managed Instances ("Defined runtime
#: environment variables")
MANAGED_INIT_TYPE = "lambda-managed-instances"
#: Lambda Managed Instances init may take the larger of 130 s and the function's timeout
#: (AWS Lambda docs, "Understanding the Lambda Managed Instances execution environment")
MANAGED_INIT_TIMEOUT_S = 130.0
#: where Lambda Managed Instances' workers connect their stdout and stderr, one stream
#: each (awslambdaric's multi-concurrent mode reads it; set by the runtime's host)
LOG_SOCKET_ENV = "_LAMBDA_TELEMETRY_LOG_FD_PROVIDER_SOCKET"
#: variables of the parent that must not leak into the environment
_DROPPED = (
    settings.MAX_CONCURRENCY,
    settings.TRACE_ID,
    "_LAMBDA_TELEMETRY_LOG_FD",
    LOG_SOCKET_ENV,
    settings.RUNTIME_API,
)


class BadInput(ValueError):
    """A user error with a message fit to print as it is."""


def parse_handler(spec: str, task_root: str | None = None) -> tuple[str, str, str]:
    """``(task_root, module, function)`` from ``MODULE:HANDLER``, ``MODULE.HANDLER``
    or ``path/to/file.py:HANDLER``.

    >>> parse_handler("examples/hello.py:handler")
    ('/abs/examples', 'hello', 'handler')
    """
    if ":" in spec:
        module, _, func = spec.rpartition(":")
    else:
        module, _, func = spec.rpartition(".")
    if not module or not func or not func.isidentifier():
        raise BadInput(f"handler {spec!r} is not MODULE:HANDLER (e.g. app:handler)")
    if module.endswith(".py") or "/" in module:
        path = module if module.endswith(".py") else module + ".py"
        if not os.path.isfile(path):
            raise BadInput(f"handler file {path} does not exist")
        root = os.path.dirname(os.path.abspath(path))
        module = os.path.basename(path)[:-3]
        if task_root is not None and os.path.abspath(task_root) != root:
            raise BadInput(f"{path} is not in the task root {task_root}")
    else:
        root = os.path.abspath(task_root or os.getcwd())
    if not all(part.isidentifier() for part in module.split(".")):
        raise BadInput(f"{module!r} is not a Python module name")
    return root, module, func


class Function:
    """A handler and the settings of the function it belongs to.

    fn = Function("examples/hello.py:handler", memory_mb=512, timeout_s=3)
    fn.environment(runtime_api="127.0.0.1:9001")
    """

    def __init__(
        self,
        handler: str,
        *,
        memory_mb: int = 128,
        timeout_s: float = 3.0,
        architecture: str = "x86_64",
        init_type: str = "on-demand",
        env: dict[str, str] | None = None,
        name: str | None = None,
        region: str | None = None,
        task_root: str | None = None,
        init_timeout_s: float | None = None,
        memory_cap: str = "auto",
        concurrency: int | None = None,
    ) -> None:
        self.task_root, self.module, self.function = parse_handler(handler, task_root)
        if not 128 <= memory_mb <= 10240:
            raise BadInput(f"--memory {memory_mb} is outside Lambda's 128..10240 MB")
        if not 0 < timeout_s <= 900:
            raise BadInput(f"--timeout {timeout_s} is outside Lambda's 0..900 seconds")
        if architecture not in ARCHITECTURES:
            raise BadInput(f"--arch {architecture!r} is not one of {', '.join(ARCHITECTURES)}")
        if init_type not in INIT_TYPES:
            raise BadInput(f"--init-type {init_type!r} is not one of {', '.join(INIT_TYPES)}")
        if memory_cap not in MEMORY_CAPS:
            raise BadInput(f"memory cap {memory_cap!r} is not one of {', '.join(MEMORY_CAPS)}")
        extra = dict(env or {})
        if settings.MAX_CONCURRENCY in extra:
            raise BadInput(
                "AWS_LAMBDA_MAX_CONCURRENCY is set by --concurrency N (Lambda Managed "
                "Instances), not by --env"
            )
        #: worker processes per environment (Lambda Managed Instances), None: on-demand Lambda
        self.concurrency = _check_concurrency(concurrency, init_type)
        if concurrency is not None:
            init_type = MANAGED_INIT_TYPE
            if init_timeout_s is None:
                init_timeout_s = max(MANAGED_INIT_TIMEOUT_S, timeout_s)
        self.memory_mb = memory_mb
        #: "auto": a memory cgroup where one is writable, else the RSS watchdog
        self.memory_cap = memory_cap
        self.timeout_s = timeout_s
        self.init_timeout_s = 10.0 if init_timeout_s is None else init_timeout_s
        self.architecture = architecture
        self.init_type = init_type
        self.extra_env = extra
        self.name = name or self.module.rpartition(".")[2].replace("_", "-")
        self.region = region or os.environ.get(settings.REGION) or "us-east-1"
        self.version = "$LATEST"
        self.arn = f"arn:aws:lambda:{self.region}:123456789012:function:{self.name}"
        self.exec_wrapper = _exec_wrapper(extra)
        #: the interpreter command: an arm64 one under qemu-user when asked and possible
        self.interpreter, self.arch_note = _interpreter(architecture)

    @property
    def handler(self) -> str:
        """The handler as Lambda's ``_HANDLER`` names it: ``module.function``."""
        return f"{self.module}.{self.function}"

    def command(self) -> list[str]:
        """The runtime process: the Python runtime client, as Lambda's base image runs it.

        With ``AWS_LAMBDA_EXEC_WRAPPER`` set, Lambda runs that script with the runtime's
        command line as its arguments, and the script ``exec``s it (AWS Lambda docs,
        "Modifying the runtime environment", wrapper scripts); so does this.
        """
        runtime = [*self.interpreter, "-m", "awslambdaric", self.handler]
        return [self.exec_wrapper, *runtime] if self.exec_wrapper else runtime

    def environment(self, runtime_api: str) -> dict[str, str]:
        """The environment variables of a new execution environment."""
        env = {k: v for k, v in os.environ.items() if k not in _DROPPED}
        stream = time.strftime("%Y/%m/%d", time.gmtime()) + f"/[{self.version}]"
        env.update(
            {
                settings.RUNTIME_API: runtime_api,
                settings.FUNCTION_NAME: self.name,
                settings.FUNCTION_VERSION: self.version,
                settings.FUNCTION_MEMORY_SIZE: str(self.memory_mb),
                settings.INITIALIZATION_TYPE: self.init_type,
                settings.LOG_GROUP_NAME: f"/aws/lambda/{self.name}",
                settings.LOG_STREAM_NAME: stream + secrets.token_hex(16),
                settings.REGION: self.region,
                settings.DEFAULT_REGION: self.region,
                settings.EXECUTION_ENV: "AWS_Lambda_python{}.{}".format(*sys.version_info[:2]),
                settings.HANDLER: self.handler,
                "LAMBDA_TASK_ROOT": self.task_root,
                "TZ": ":UTC",
                # Lambda's telemetry listeners bind sandbox.localdomain; here it is loopback
                settings.PLATFORM_HOST: "127.0.0.1",
            }
        )
        if self.concurrency is not None:
            env[settings.MAX_CONCURRENCY] = str(self.concurrency)
            # Managed Instances functions always log in JSON (AWS Lambda docs, "Python
            # runtime for Lambda Managed Instances", Logging)
            env[settings.LOG_FORMAT] = "JSON"
        env.update(self.extra_env)
        return env

    @property
    def managed_note(self) -> str:
        """A warning when Managed Instances would not run this Python (3.13 and later)."""
        if self.concurrency is None or sys.version_info >= (3, 13):
            return ""
        v = sys.version_info
        return (
            f"Lambda Managed Instances run Python 3.13 and later (AWS Lambda docs, "
            f'"Lambda Managed Instances runtimes"); this is Python {v[0]}.{v[1]}'
        )


def _check_concurrency(concurrency: int | None, init_type: str) -> int | None:
    """``concurrency`` checked against Lambda's bounds and this machine's."""
    if concurrency is None:
        return None
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise BadInput(
            f"--concurrency {concurrency} is outside Lambda Managed Instances' "
            f"1..{MAX_CONCURRENCY} per execution environment"
        )
    cpus = os.cpu_count() or 1
    if concurrency > WORKERS_PER_CPU * cpus:
        raise BadInput(
            f"--concurrency {concurrency} is more than {WORKERS_PER_CPU} worker processes "
            f"per CPU of this {cpus}-CPU machine ({WORKERS_PER_CPU * cpus}), the Python "
            f"runtime's default per vCPU"
        )
    if init_type != "on-demand":
        raise BadInput(
            f"--init-type {init_type} does not apply with --concurrency: Lambda Managed "
            f"Instances set AWS_LAMBDA_INITIALIZATION_TYPE={MANAGED_INIT_TYPE}"
        )
    return concurrency


def _exec_wrapper(extra: dict[str, str]) -> str | None:
    """``AWS_LAMBDA_EXEC_WRAPPER`` of the function, checked to be an executable file."""
    path = extra.get(settings.EXEC_WRAPPER, os.environ.get(settings.EXEC_WRAPPER))
    if not path:
        return None
    if not os.path.isfile(path):
        raise BadInput(f"AWS_LAMBDA_EXEC_WRAPPER={path}: no such file")
    if not os.access(path, os.X_OK):
        raise BadInput(f"AWS_LAMBDA_EXEC_WRAPPER={path} is not executable (chmod +x it)")
    return os.path.abspath(path)


def _interpreter(architecture: str) -> tuple[list[str], str]:
    """The Python to run the runtime client with, and a note when --arch only prices.

    arm64 on an arm64 machine is the machine's own Python; elsewhere it runs under
    qemu-user (``qemu-aarch64``) when that is installed and ``LAMBDA_KIT_ARM64_PYTHON``
    names an arm64 Python with the runtime client installed.
    """
    if architecture != "arm64" or os.uname().machine.lower() in ("aarch64", "arm64"):
        return [sys.executable], ""
    qemu = shutil.which("qemu-aarch64") or shutil.which("qemu-aarch64-static")
    python = os.environ.get(settings.ARM64_PYTHON, "")
    if qemu and python and os.path.isfile(python):
        return [qemu, python], ""
    missing = "qemu-aarch64 is not installed" if not qemu else f"{settings.ARM64_PYTHON} is not set"
    return [sys.executable], (
        f"--arch arm64 only changes the price: the handler runs on this "
        f"{os.uname().machine} machine ({missing})"
    )


def trace_header() -> str:
    """A fresh X-Ray trace header, as ``Lambda-Runtime-Trace-Id`` carries it."""
    root = f"1-{int(time.time()):08x}-{secrets.token_hex(12)}"
    return f"Root={root};Parent={secrets.token_hex(8)};Sampled=0"
