"""``lambda-kit layer``: real layer zips, built with pip from the package index for a target runtime.

The wheels come from PyPI through pip (the one network use of the suite, as for
installs); pip's cache lives in build/pip-cache so a re-run downloads nothing.
"""

from __future__ import annotations

import json
import os
import platform
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from _lk_helpers import ROOT
from hypothesis import given
from hypothesis import strategies as st

from lambda_kit.layer.build import find_interpreter, prune
from lambda_kit.layer.requirements import LAYER_EXTRAS, parse_extras, select
from lambda_kit.layer.targets import BadInput, Target

PIP_CACHE = os.path.join(ROOT, "build", "pip-cache")
LOCAL_PY = f"{sys.version_info[0]}.{sys.version_info[1]}"
LOCAL_ARCH = {"x86_64": "x86_64", "aarch64": "arm64"}.get(platform.machine(), "")


def layer(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lambda_kit", "layer", "--pip-cache", PIP_CACHE, *args],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=ROOT,
    )


@pytest.fixture(scope="module")
def arm64_layer(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("arm64") / "layer.zip"
    run = layer("--python", "3.12", "--arch", "arm64", "-o", str(out))
    assert run.returncode == 0, run.stderr
    return out, run.stdout


def test_an_arm64_layer_holds_the_targets_native_builds(arm64_layer):
    out, _ = arm64_layer
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        wheel_tags = {
            name.split("/")[1]: [
                ln.removeprefix("Tag: ")
                for ln in zf.read(name).decode().splitlines()
                if ln.startswith("Tag: ")
            ]
            for name in names
            if name.endswith(".dist-info/WHEEL")
        }
    native = [n for n in names if n.endswith(".so")]
    assert "python/orjson/orjson.cpython-312-aarch64-linux-gnu.so" in native
    assert all("cpython-312-aarch64-linux-gnu" in n for n in native), native
    orjson_tags = next(tags for info, tags in wheel_tags.items() if info.startswith("orjson-"))
    assert orjson_tags and all(t.startswith("cp312-cp312-manylinux") for t in orjson_tags)
    assert all(t.endswith("_aarch64") for t in orjson_tags), orjson_tags
    # every platform-specific wheel is an aarch64 one; pure ones say "any"
    for info, tags in wheel_tags.items():
        assert all(t.endswith(("_aarch64", "-any")) for t in tags), (info, tags)


def test_an_arm64_layer_has_only_what_lambda_runs(arm64_layer):
    out, stdout = arm64_layer
    with zipfile.ZipFile(out) as zf:
        infos = zf.infolist()
    names = [i.filename for i in infos]
    assert all(n.startswith("python/") for n in names)
    assert "python/lambda_kit/__init__.py" in names
    assert "python/lambda_kit/layer/build.py" in names
    assert not [n for n in names if n.startswith("python/bin/")]
    assert not [n for n in names if "/tests/" in n or "/test/" in n]
    # bytecode, if any, is the target's: never this machine's other versions
    pycs = [n for n in names if n.endswith(".pyc")]
    assert all(".cpython-312." in n for n in pycs), pycs[:3]
    wrapper = next(i for i in infos if i.filename == "python/lambda_kit/imports/exec_wrapper.sh")
    assert stat.S_IMODE(wrapper.external_attr >> 16) == 0o755
    assert any(
        n.startswith("python/lambda_kit_instrument-") and n.endswith("/METADATA") for n in names
    )
    assert "of Lambda's 250 MB unzipped limit" in stdout
    assert "AWS_LAMBDA_EXEC_WRAPPER=/opt/python/lambda_kit/imports/exec_wrapper.sh" in stdout


@pytest.mark.skipif(not LOCAL_ARCH, reason="this machine is neither x86_64 nor aarch64")
def test_a_layer_for_this_machine_imports_in_an_isolated_interpreter(tmp_path):
    out = tmp_path / "layer.zip"
    run = layer("--python", LOCAL_PY, "--arch", LOCAL_ARCH, "-o", str(out))
    assert run.returncode == 0, run.stderr
    assert f"bytecode: compiled by {sys.executable}" in run.stdout
    opt = tmp_path / "opt"
    with zipfile.ZipFile(out) as zf:
        zf.extractall(opt)
    code = (
        "import sys, json\n"
        f"sys.path.insert(0, {str(opt / 'python')!r})\n"
        "import lambda_kit, orjson\n"
        "from lambda_kit import instrument\n"
        "h = instrument(service='layer')(lambda e, c: {'ok': e})\n"
        "r = h(1, None)\n"
        "print(json.dumps({'files': [lambda_kit.__file__, orjson.__file__],"
        " 'result': r,"
        " 'version': lambda_kit.__version__}))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-I", "-v", "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    *records, last = proc.stdout.splitlines()
    facts = json.loads(last)
    assert all(f.startswith(str(opt / "python")) for f in facts["files"]), facts
    # loaded from the layer's own .pyc (python -v names where each code object came from)
    tag = sys.implementation.cache_tag
    pyc = opt / "python" / "lambda_kit" / "__pycache__" / f"instrument.{tag}.pyc"
    assert f"# code object from '{pyc}'" in proc.stderr
    assert facts["result"] == {"ok": 1}
    assert json.loads(records[-1])["service"] == "layer"
    from lambda_kit import __version__

    assert facts["version"] == __version__


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--arch", "sparc"],
            "lambda-kit: --arch 'sparc': Lambda's architectures are x86_64 and arm64\n",
        ),
        (
            ["--python", "3.10"],
            "lambda-kit: --python '3.10': lambda_kit supports the Lambda runtimes 3.11, 3.12, 3.13\n",
        ),
        (["--with", "otel,dev"], "lambda-kit: --with 'dev': a layer can carry otel, xray\n"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(tmp_path, args, message):
    run = layer(*args, "-o", str(tmp_path / "l.zip"))
    assert (run.returncode, run.stderr.splitlines()[-1] + "\n") == (2, message)
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "l.zip").exists()


def test_an_output_that_cannot_be_written_is_one_line_and_exit_2(tmp_path):
    cases = {
        str(tmp_path / "missing" / "l.zip"): f"folder {tmp_path / 'missing'} does not exist",
        str(tmp_path): "is a folder; give the zip's file name",
        "/etc/hostname/l.zip": "folder /etc/hostname does not exist",
    }
    for out, why in cases.items():
        run = layer("-o", out)
        assert run.returncode == 2, run.stderr
        assert run.stderr.splitlines()[-1] == f"lambda-kit: -o {out}: {why}"
        assert "Traceback" not in run.stderr


def test_platform_tags_follow_each_runtimes_glibc():
    py311 = Target.parse("3.11", "x86_64").platforms()
    assert py311[0] == "manylinux_2_26_x86_64"  # Amazon Linux 2
    assert {"manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"} <= set(py311)
    assert "manylinux_2_27_x86_64" not in py311
    arm = Target.parse("python3.13", "arm64")
    assert arm.platforms()[0] == "manylinux_2_34_aarch64"  # Amazon Linux 2023
    assert arm.platforms()[-2:] == ["manylinux_2_17_aarch64", "manylinux2014_aarch64"]
    assert arm.abi == "cp313" and arm.runtime() == "python3.13"


def test_requirements_follow_the_markers_of_the_chosen_extras():
    declared = [
        "wrapt<2,>=1.14",
        "orjson>=3.9",
        'opentelemetry-api>=1.20; extra == "otel"',
        'aws-xray-sdk>=2.12; extra == "xray"',
        'pytest>=8; extra == "dev"',
    ]
    assert select(declared, ()) == ["wrapt<2,>=1.14", "orjson>=3.9"]
    assert select(declared, ("otel",)) == [
        "wrapt<2,>=1.14",
        "orjson>=3.9",
        "opentelemetry-api>=1.20",
    ]
    assert "pytest>=8" not in select(declared, LAYER_EXTRAS)


@given(st.lists(st.sampled_from(LAYER_EXTRAS), max_size=5), st.sampled_from(["", " ", "  "]))
def test_parse_extras_accepts_any_list_of_known_extras(extras, pad):
    text = ",".join(f"{pad}{e}{pad}" for e in extras)
    assert parse_extras(text) == tuple(dict.fromkeys(extras))


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz-_", min_size=1, max_size=12))
def test_parse_extras_rejects_any_other_name(name):
    if name in LAYER_EXTRAS:
        return
    with pytest.raises(BadInput, match="a layer can carry otel, xray"):
        parse_extras(f"otel,{name}")


def test_prune_keeps_a_top_level_package_named_test_and_drops_tests_inside_packages(tmp_path):
    for rel in ("bin/tool", "pkg/tests/t.py", "pkg/__pycache__/m.pyc", "pkg/m.py", "test/x.py"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("")
    assert prune(tmp_path) == 3
    left = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert left == ["pkg/m.py", "test/x.py"]


def test_find_interpreter_finds_this_one_and_says_none_for_a_missing_version():
    assert find_interpreter(LOCAL_PY) == sys.executable
    assert find_interpreter("3.99") is None
