"""examples/deploy: the SAM template passes cfn-lint and wires what lambda_kit ships as it is.

cfn-lint needs no AWS account; the facts below (the exec wrapper's path inside the layer,
the record keys the saved query reads) are checked against lambda_kit itself.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from _lk_helpers import ROOT
from cfnlint.decode import decode

from lambda_kit.layer.build import OPT_PYTHON
from lambda_kit.record import KEYS

DEPLOY = Path(ROOT, "examples", "deploy")
TEMPLATE = DEPLOY / "template.yaml"
CFN_LINT = os.path.join(os.path.dirname(sys.executable), "cfn-lint")


def _lint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CFN_LINT, str(path)], capture_output=True, text=True, timeout=120)


def test_the_template_passes_cfn_lint():
    run = _lint(TEMPLATE)
    assert run.returncode == 0, run.stdout + run.stderr


def test_cfn_lint_does_fail_a_broken_copy(tmp_path):
    # the lint above is not vacuous: the same template with one wrong resource type fails
    broken = tmp_path / "template.yaml"
    broken.write_text(TEMPLATE.read_text().replace("AWS::Logs::QueryDefinition", "AWS::Logs::QueryDefinitions"))
    shutil.copytree(DEPLOY / "src", tmp_path / "src")
    run = _lint(broken)
    assert run.returncode != 0 and "E3006" in run.stdout


def test_the_function_uses_the_layers_exec_wrapper_json_logs_and_its_own_log_group():
    template, errors = decode(str(TEMPLATE))
    assert not errors
    resources = template["Resources"]
    fn = resources["OrdersFunction"]["Properties"]
    wrapper = fn["Environment"]["Variables"]["AWS_LAMBDA_EXEC_WRAPPER"]
    # the path the layer gives: python/ lands at /opt/python, the script ships in the package
    assert wrapper == f"{OPT_PYTHON}/lambda_kit/imports/exec_wrapper.sh"
    assert Path(ROOT, "lambda_kit", "imports", "exec_wrapper.sh").is_file()
    assert fn["LoggingConfig"]["LogFormat"] == "JSON"
    assert fn["LoggingConfig"]["LogGroup"] == {"Ref": "OrdersLogGroup"}
    assert fn["Layers"] == [{"Ref": "LambdaKitLayer"}]
    layer = resources["LambdaKitLayer"]["Properties"]
    assert fn["Runtime"] in layer["CompatibleRuntimes"]
    assert (DEPLOY / fn["CodeUri"] / (fn["Handler"].split(".")[0] + ".py")).is_file()


def test_the_saved_query_reads_the_invocation_records_keys():
    template, _ = decode(str(TEMPLATE))
    query = template["Resources"]["InvocationsQuery"]
    assert query["Type"] == "AWS::Logs::QueryDefinition"
    text = query["Properties"]["QueryString"]
    assert 'filter type = "invocation"' in text
    read = re.sub(r"\bas \w+", "", text)  # the aliases the query names its results
    fields = set(re.findall(r"\b([a-z]+(?:_[a-z]+)+)\b", read))
    assert fields and fields <= set(KEYS), fields - set(KEYS)
