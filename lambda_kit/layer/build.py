"""Build a Lambda layer zip: lambda_kit plus its dependencies, as wheels for the target runtime.

Steps, in a temporary folder: pip installs the dependencies with the target's
platform tags (``--platform``/``--python-version``/``--abi``, binary wheels only,
so a C extension is the target's build, never this machine's); lambda_kit is
copied from this installation with its metadata; what Lambda never runs goes
(``bin/``, tests, caches); bytecode is compiled when an interpreter of the
target's version is at hand; everything is zipped under ``python/``.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lambda_kit.layer.requirements import requirements
from lambda_kit.layer.targets import BadInput, LayerError, Target

#: Lambda's quota for a function's code and all its layers, extracted: 250 MB
#: (``CodeSizeUnzipped`` in GetAccountSettings is 262,144,000 bytes, i.e. MiB).
UNZIPPED_LIMIT = 250 * 1024 * 1024

#: Where Lambda puts a layer's ``python/`` folder (on ``sys.path`` of every Python runtime).
OPT_PYTHON = "/opt/python"

#: Bounds on the child processes: pip fetching wheels, an interpreter compiling them.
PIP_TIMEOUT_S = 900.0
COMPILE_TIMEOUT_S = 300.0

#: Folders no function imports: console scripts, test suites, stale caches.
_PRUNED_DIRS = {"__pycache__", "tests", "test"}

#: A fixed timestamp for every zip entry, so the same inputs give the same zip
#: (and the same CodeSha256, so a deploy tool sees nothing changed). The .pyc files
#: are hash-based, so they do not depend on it.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass
class Layer:
    """What was built: where, for which runtime, what is inside and how big it is."""

    path: Path
    target: Target
    packages: list[tuple[str, str]]
    files: int
    zipped_bytes: int
    unzipped_bytes: int
    compiled_with: str | None
    notes: list[str] = field(default_factory=list)

    @property
    def share_of_limit(self) -> float:
        """The unzipped size as a fraction of Lambda's 250 MB limit."""
        return self.unzipped_bytes / UNZIPPED_LIMIT


def build_layer(
    target: Target,
    output: str | os.PathLike[str],
    extras: tuple[str, ...] = (),
    *,
    pip_cache: str | None = None,
    python_for_bytecode: str | None = None,
) -> Layer:
    """Build the layer zip at ``output``; ``LayerError`` says why it cannot be.

    ``pip_cache`` is pip's ``--cache-dir`` (its default cache when None);
    ``python_for_bytecode`` overrides the interpreter search for compiling.
    """
    out = Path(output)
    _check_writable(out)
    reqs = requirements(extras)
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="lambda-kit-layer-") as tmp:
        root = Path(tmp) / "python"
        _pip_install(target, reqs, root, pip_cache)
        copy_lambda_kit(root)
        pruned = prune(root)
        if pruned:
            what = "folder" if pruned == 1 else "folders"
            notes.append(f"left out {pruned} {what} no function imports (bin/, tests, caches)")
        interpreter = python_for_bytecode or find_interpreter(target.python)
        compiled_with = None
        if interpreter is None:
            notes.append(
                f"no bytecode: no Python {target.python} here to compile with; on Lambda's "
                f"read-only /opt each cold start compiles every module it imports from the "
                f"layer (put python{target.python} on PATH and build again)"
            )
        else:
            failed = compile_bytecode(root, interpreter)
            compiled_with = interpreter
            if failed:
                notes.append(f"bytecode: {failed}")
        files, unzipped = write_zip(root, out)
        packages = installed_packages(root)
    return Layer(
        path=out,
        target=target,
        packages=packages,
        files=files,
        zipped_bytes=out.stat().st_size,
        unzipped_bytes=unzipped,
        compiled_with=compiled_with,
        notes=notes,
    )


def _check_writable(out: Path) -> None:
    # before minutes of downloading: the output must be a file we can create
    if out.is_dir():
        raise BadInput(f"-o {out}: is a folder; give the zip's file name")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise BadInput(f"-o {out}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise BadInput(f"-o {out}: not writable")


def _pip_install(target: Target, reqs: list[str], root: Path, cache: str | None) -> None:
    """The dependencies as the target's wheels, installed flat into ``root``."""
    import importlib.util

    if importlib.util.find_spec("pip") is None:
        raise LayerError("lambda-kit layer needs pip in this interpreter (python -m ensurepip)")
    cmd = [sys.executable, "-m", "pip", "install", "--target", str(root)]
    cmd += ["--only-binary=:all:", "--implementation", "cp", "--python-version", target.python]
    cmd += ["--abi", target.abi]
    for platform in target.platforms():
        cmd += ["--platform", platform]
    cmd += ["--no-compile", "--no-warn-script-location", "--disable-pip-version-check", "-q"]
    if cache is not None:
        cmd += ["--cache-dir", cache]
    try:
        proc = subprocess.run(
            [*cmd, *reqs], capture_output=True, text=True, timeout=PIP_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        raise LayerError(f"pip did not finish in {PIP_TIMEOUT_S:g} s") from None
    if proc.returncode != 0:
        errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("ERROR:")]
        last = (errors or proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise LayerError(
            f"pip could not install wheels for {target.runtime()} {target.arch}: {last}"
        )


def copy_lambda_kit(root: Path) -> None:
    """This installation's ``lambda_kit`` (no caches) and its metadata, into ``root``."""
    from importlib import metadata

    import lambda_kit
    from lambda_kit._version import DISTRIBUTION, __version__

    source = Path(lambda_kit.__file__).parent
    shutil.copytree(
        source, root / "lambda_kit", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    info = root / f"{DISTRIBUTION.replace('-', '_')}-{__version__}.dist-info"
    info.mkdir()
    try:
        text = metadata.distribution(DISTRIBUTION).read_text("METADATA")
    except metadata.PackageNotFoundError:
        text = None
    # without the installed metadata (a bare checkout), the fields importlib.metadata needs
    text = text or f"Metadata-Version: 2.4\nName: {DISTRIBUTION}\nVersion: {__version__}\n"
    (info / "METADATA").write_text(text, encoding="utf-8")
    (info / "INSTALLER").write_text("lambda-kit layer\n", encoding="utf-8")
    (info / "top_level.txt").write_text("lambda_kit\n", encoding="utf-8")
    package = sorted(p for p in (root / "lambda_kit").rglob("*") if p.is_file())
    records = [f"{p.relative_to(root).as_posix()},," for p in package]
    records.append(f"{info.name}/RECORD,,")
    (info / "RECORD").write_text("\n".join(records) + "\n", encoding="utf-8")


def prune(root: Path) -> int:
    """Remove ``bin/`` and, inside packages, test suites and caches; returns how many went."""
    removed = 0
    if (root / "bin").is_dir():
        shutil.rmtree(root / "bin")
        removed += 1
    for dirpath, dirnames, _ in os.walk(root):
        depth = len(Path(dirpath).relative_to(root).parts)
        for name in list(dirnames):
            # a top-level package called "test" would be someone's import: only below the top
            if name == "__pycache__" or (name in _PRUNED_DIRS and depth >= 1):
                shutil.rmtree(Path(dirpath) / name)
                dirnames.remove(name)
                removed += 1
    for pyc in root.rglob("*.pyc"):
        pyc.unlink()
    return removed


def find_interpreter(version: str) -> str | None:
    """A CPython of ``version`` ("3.12"): this one, ``python3.12`` on PATH, or pyenv's build."""
    if f"{sys.version_info[0]}.{sys.version_info[1]}" == version:
        if sys.implementation.name == "cpython":
            return sys.executable
    candidates = [shutil.which(f"python{version}")]
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    candidates += sorted(str(p) for p in pyenv.glob(f"{version}.*/bin/python"))
    for candidate in candidates:
        if candidate and _is_cpython(candidate, version):
            return candidate
    return None


def _is_cpython(candidate: str, version: str) -> bool:
    probe = "import sys; print(sys.implementation.name, *sys.version_info[:2])"
    try:
        proc = subprocess.run(
            [candidate, "-I", "-c", probe], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    # a pyenv shim for a version that is not selected answers with an error, not a version
    return proc.stdout.split() == ["cpython", *version.split(".")]


def compile_bytecode(root: Path, interpreter: str) -> str | None:
    """Compile every module under ``root`` with ``interpreter``; a note when some failed.

    The .pyc files are ``unchecked-hash`` (PEP 552): Python loads them without
    comparing the source's mtime, which a zip round trip does not keep exactly,
    and on a read-only /opt a rejected .pyc could not be rewritten.
    """
    cmd = [interpreter, "-I", "-m", "compileall", "-q", "--invalidation-mode", "unchecked-hash"]
    cmd.append(str(root))
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=COMPILE_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        return f"compiling did not finish in {COMPILE_TIMEOUT_S:g} s; the rest compile at run time"
    except OSError as exc:
        raise LayerError(f"cannot run {interpreter}: {exc.strerror or exc}") from exc
    if proc.returncode != 0:
        # compileall names each file it could not compile (e.g. Python 2 leftovers)
        bad = [ln for ln in proc.stdout.splitlines() if ln.startswith("***")]
        return f"{len(bad) or 'some'} files did not compile; they compile at run time"
    return None


def write_zip(root: Path, out: Path) -> tuple[int, int]:
    """Zip ``root`` as ``python/...`` into ``out`` (atomically); returns (files, unzipped bytes)."""
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    files = unzipped = 0
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                name = "python/" + path.relative_to(root).as_posix()
                info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = (stat.S_IFREG | _mode(path)) << 16
                data = path.read_bytes()
                zf.writestr(info, data)
                files += 1
                unzipped += len(data)
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise BadInput(f"-o {out}: cannot write it: {exc.strerror or exc}") from exc
    return files, unzipped


def _mode(path: Path) -> int:
    # the exec wrapper must be executable for Lambda to run it; what was executable stays so
    executable = path.suffix == ".sh" or path.stat().st_mode & stat.S_IXUSR
    return 0o755 if executable else 0o644


def installed_packages(root: Path) -> list[tuple[str, str]]:
    """(name, version) of each distribution in ``root``, from its ``.dist-info`` folder."""
    found = []
    for info in sorted(root.glob("*.dist-info")):
        name, _, version = info.name.removesuffix(".dist-info").partition("-")
        found.append((name, version))
    return found
