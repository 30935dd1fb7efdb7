"""``lambda-kit cloudwatch dashboard|alarms --function NAME``: CloudWatch views of the record.

    lambda-kit cloudwatch dashboard --function orders              # print the body
    lambda-kit cloudwatch dashboard --function orders --apply      # PutDashboard
    lambda-kit cloudwatch alarms --function orders --memory-size 1024 -o alarms.yaml
    lambda-kit cloudwatch alarms --function orders --memory-size 1024 --apply

IAM actions for ``--apply``: cloudwatch:PutDashboard; cloudwatch:PutMetricAlarm
and logs:PutQueryDefinition; lambda:GetFunctionConfiguration when ``alarms`` is not
given ``--memory-size``.
"""

from __future__ import annotations

import argparse
import json
import sys

from lambda_kit._term import fail, say
from lambda_kit.cloudwatch.metrics import Target


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``lambda-kit cloudwatch``."""
    sub = parser.add_subparsers(
        dest="what", metavar="dashboard|alarms", required=True, help="what to make"
    )
    dash = sub.add_parser("dashboard", help="a dashboard body from the record and EMF metrics")
    alarms = sub.add_parser("alarms", help="alarms and saved queries (CloudFormation or --apply)")
    for p in (dash, alarms):
        p.add_argument("--function", required=True, metavar="NAME", help="Lambda function name")
        p.add_argument(
            "--service", metavar="NAME", help="the record's service (default: the function name)"
        )
        p.add_argument(
            "--namespace",
            metavar="NAME",
            help="EMF namespace (default: as the EMF sink resolves it)",
        )
        p.add_argument("--log-group", metavar="NAME", help="default /aws/lambda/FUNCTION")
        p.add_argument("--region", metavar="REGION", help="default AWS_REGION, else us-east-1")
        p.add_argument("--apply", action="store_true", help="create it through the AWS API")
    dash.add_argument("--name", metavar="NAME", help="dashboard name (default lambda-kit-NAME)")
    alarms.add_argument("-o", "--output", metavar="FILE", help="write the template here")
    alarms.add_argument(
        "--memory-size",
        type=int,
        metavar="MB",
        help="the function's memory size, the 90%% alarm's base (default: asked of Lambda, "
        "lambda:GetFunctionConfiguration)",
    )
    alarms.add_argument(
        "--budget-per-hour",
        type=float,
        default=1.0,
        metavar="USD",
        help="alarm when the estimated cost per hour passes this (default 1.0)",
    )
    alarms.add_argument(
        "--cold-start-pct",
        type=float,
        default=10.0,
        metavar="PCT",
        help="alarm when cold starts pass this share of invocations (default 10)",
    )


def _fail(message: str) -> int:
    return fail("lambda-kit cloudwatch", message)


def run(args: argparse.Namespace) -> int:
    """Print or write what was asked; with --apply, create it."""
    from lambda_kit.environment import region as env_region
    from lambda_kit.report.cloudwatch import CloudError

    try:
        target = Target(
            args.function,
            service=args.service,
            namespace=args.namespace,
            log_group=args.log_group,
            region=args.region or env_region() or "us-east-1",
        )
        if args.what == "dashboard":
            return _dashboard(args, target)
        return _alarms(args, target)
    except (ValueError, CloudError) as err:
        return _fail(str(err))


def _dashboard(args: argparse.Namespace, t: Target) -> int:
    from lambda_kit.cloudwatch.dashboard import dashboard_body, dashboard_name

    body = dashboard_body(t)
    name = args.name or dashboard_name(t)
    if not args.apply:
        json.dump(body, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    from lambda_kit.report.cloudwatch import call, client

    answer = call(
        client("cloudwatch", t.region),
        "put_dashboard",
        "cloudwatch:PutDashboard",
        DashboardName=name,
        DashboardBody=json.dumps(body),
    )
    problems = answer.get("DashboardValidationMessages") or []
    for p in problems:
        say("lambda-kit cloudwatch", f"{p.get('DataPath')}: {p.get('Message')}", "warning")
    sys.stdout.write(f"dashboard {name}: {len(body['widgets'])} widgets put in {t.region}\n")
    return 0


def _alarms(args: argparse.Namespace, t: Target) -> int:
    from lambda_kit.cloudwatch.alarms import alarm_definitions, query_definitions, template
    from lambda_kit.cloudwatch.yaml_out import to_yaml

    memory = args.memory_size if args.memory_size is not None else _memory_size(t)
    alarms = alarm_definitions(
        t,
        budget_per_hour=args.budget_per_hour,
        memory_size_mb=memory,
        cold_start_pct=args.cold_start_pct,
    )
    if not args.apply:
        text = to_yaml(template(t, alarms))
        if args.output:
            try:
                with open(args.output, "w", encoding="utf-8") as f:
                    f.write(text)
            except OSError as err:
                return _fail(f"cannot write {args.output}: {err.strerror or err}")
            sys.stdout.write(f"{args.output}: {len(alarms)} alarms, 3 saved queries\n")
        else:
            sys.stdout.write(text)
        return 0
    from lambda_kit.report.cloudwatch import call, client

    cw = client("cloudwatch", t.region)
    for alarm in alarms:
        call(cw, "put_metric_alarm", "cloudwatch:PutMetricAlarm", **alarm)
        sys.stdout.write(f"alarm {alarm['AlarmName']}\n")
    logs = client("logs", t.region)
    for query in query_definitions(t):
        call(logs, "put_query_definition", "logs:PutQueryDefinition", **query)
        sys.stdout.write(f"saved query {query['name']}\n")
    return 0


def _memory_size(t: Target) -> int:
    """The function's configured memory size, from Lambda (GetFunctionConfiguration)."""
    from lambda_kit.report.cloudwatch import CloudError, call, client

    try:
        config = call(
            client("lambda", t.region),
            "get_function_configuration",
            "lambda:GetFunctionConfiguration",
            FunctionName=t.function,
        )
    except CloudError as err:
        raise CloudError(f"{err}; or give --memory-size MB") from None
    return int(config["MemorySize"])
