import json

from lambda_kit import instrument


def test_a_handler_writes_one_record(capsys):
    @instrument(service="smoke")
    def handler(event, context):
        return event

    assert handler({"a": 1}, None) == {"a": 1}
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["service"] == "smoke"
