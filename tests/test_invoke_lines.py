"""The platform lines, in the shape CloudWatch shows them."""

from lambda_kit.local.lines import Report, error_payload, exit_reason, init_report, timed_out


def test_a_warm_report_line_is_tab_separated_with_a_trailing_tab():
    line = Report("abc", 2.154, 3, 128, 39).line()
    assert line == (
        "REPORT RequestId: abc\tDuration: 2.15 ms\tBilled Duration: 3 ms\t"
        "Memory Size: 128 MB\tMax Memory Used: 39 MB\t"
    )


def test_a_cold_report_line_carries_the_init_duration():
    line = Report("abc", 2.0, 121, 128, 39, init_duration_ms=118.744).line()
    assert line.endswith("Max Memory Used: 39 MB\tInit Duration: 118.74 ms\t")


def test_a_failed_invocation_says_its_status_and_error_type():
    line = Report("abc", 3000.0, 3000, 128, 39, status="timeout", error_type="Sandbox.Timedout")
    assert line.line().endswith("\tStatus: timeout\tError Type: Sandbox.Timedout\t")


def test_the_timeout_line_says_the_timeout_in_seconds():
    assert timed_out("abc", 3).endswith("Z abc Task timed out after 3.00 seconds")


def test_exit_reasons_are_worded_as_lambda_words_them():
    assert exit_reason(3) == "Runtime exited with error: exit status 3"
    assert exit_reason(-9) == "Runtime exited with error: signal: killed"


def test_an_environment_error_payload_names_the_request():
    assert error_payload("abc", "Runtime.ExitError", "boom") == (
        b'{"errorType": "Runtime.ExitError", "errorMessage": "RequestId: abc Error: boom"}'
    )


def test_a_failed_init_has_its_own_report_line():
    assert init_report(12.345, "error", "Runtime.ImportModuleError") == (
        "INIT_REPORT Init Duration: 12.35 ms\tPhase: init\tStatus: error\t"
        "Error Type: Runtime.ImportModuleError\t"
    )
