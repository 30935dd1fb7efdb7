"""The release artefacts: the sdist, the wheel built from it, and the wheel working on its own.

``python -m build`` makes the sdist and then the wheel from the unpacked sdist,
so a file missing from the sdist shows up as one missing from the wheel.
"""

from __future__ import annotations

import email.parser
import os
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest
from _lk_helpers import ROOT

from lambda_kit._version import DISTRIBUTION, __version__


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), ROOT],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    [wheel] = out.glob("*.whl")
    [sdist] = out.glob("*.tar.gz")
    return wheel, sdist


def _metadata(text: str) -> email.message.Message:
    return email.parser.Parser().parsestr(text)


def test_the_wheel_carries_the_license_and_the_release_metadata(dists):
    wheel, _ = dists
    assert wheel.name == f"lambda_kit_instrument-{__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        info = f"lambda_kit_instrument-{__version__}.dist-info"
        meta = _metadata(zf.read(f"{info}/METADATA").decode())
        license_text = zf.read(f"{info}/licenses/LICENSE").decode()
    assert meta["Name"] == DISTRIBUTION and meta["Version"] == __version__
    assert meta["License-Expression"] == "Apache-2.0"
    assert meta.get_all("License-File") == ["LICENSE"]
    assert "Apache License" in license_text and "Version 2.0, January 2004" in license_text
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL"))
    assert {"Homepage", "Documentation", "Changelog", "Issues"} <= set(urls)
    classifiers = meta.get_all("Classifier")
    for minor in (11, 12, 13):
        assert f"Programming Language :: Python :: 3.{minor}" in classifiers
    # what the package needs at run time is inside it
    for name in ("lambda_kit/py.typed", "lambda_kit/imports/exec_wrapper.sh",
                 "lambda_kit/examples/heavy.py", "lambda_kit/examples/heavy_sdk.py",
                 "lambda_kit/layer/cli.py", "lambda_kit/_version.py"):
        assert name in names, name
    assert not [n for n in names if n.startswith(("tests/", "examples/", "benchmarks/"))]


def test_the_sdist_carries_license_changelog_and_metadata(dists):
    _, sdist = dists
    base = f"lambda_kit_instrument-{__version__}"
    with tarfile.open(sdist) as tf:
        names = tf.getnames()
        meta = _metadata(tf.extractfile(f"{base}/PKG-INFO").read().decode())  # type: ignore[union-attr]
    for name in ("LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml"):
        assert f"{base}/{name}" in names, name
    assert meta["License-Expression"] == "Apache-2.0"
    assert meta.get_all("License-File") == ["LICENSE"]


def test_demo_runs_from_the_installed_wheel_alone(dists, tmp_path):
    wheel, _ = dists
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    site = subprocess.run(
        [py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout.strip()
    # the dependencies (wrapt, orjson, awslambdaric) from the dev venv, after the wheel's
    # own site-packages; a plain path in a .pth runs none of the dev venv's .pth files,
    # so its editable lambda_kit stays out of sight
    Path(site, "zz_dev_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
         "--disable-pip-version-check", "--target", site, str(wheel)],
        check=True, capture_output=True, timeout=300,
    )
    where = subprocess.run(
        [py, "-c", "import lambda_kit; print(lambda_kit.__file__)"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )
    assert where.stdout.startswith(site), where
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "COLUMNS": "100"}
    demo = subprocess.run(
        [py, "-m", "lambda_kit", "demo"], capture_output=True, text=True, timeout=120,
        cwd=tmp_path, env=env,
    )
    assert demo.returncode == 0, demo.stderr
    assert "no examples folder" not in demo.stdout + demo.stderr
    shipped = os.path.relpath(os.path.join(site, "lambda_kit", "examples", "heavy.py"), tmp_path)
    assert f"$ lambda-kit invoke {shipped}:handler" in demo.stdout
    assert "heavy.py #2 (warm)    success" in demo.stdout
    assert "slow.py #1 (cold)     timeout" in demo.stdout

