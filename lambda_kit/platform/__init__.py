"""Platform truth: Lambda's own figures for each invocation, from the Telemetry API.

    LAMBDA_KIT_PLATFORM=1   # then `import lambda_kit` starts the internal extension

With the variable set, ``import lambda_kit`` runs an internal extension (a thread of
the runtime process, AWS Lambda docs "Lambda Extensions API": internal extensions)
that registers during init, subscribes a local HTTP listener to the platform
telemetry stream ("Lambda Telemetry API") and writes one ``platform_report`` line
per ``platform.report`` it receives (``lines.py``). Without the variable this package
is never imported. See docs/platform.md.
"""
