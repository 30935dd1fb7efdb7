"""Talking to AWS: one client per service, bounded waits, bounded retries, clear errors.

    logs = client("logs", "eu-west-1")
    page = call(logs, "filter_log_events", "logs:FilterLogEvents", logGroupName=name)

boto3 is imported here and only here (``pip install 'lambda-kit-instrument[aws]'``). It finds
credentials and ``AWS_ENDPOINT_URL`` the usual way. botocore's own retries are
turned off so that :func:`call` owns them: throttling is retried with capped
exponential backoff and full jitter (the AWS Architecture Blog's "Exponential
Backoff And Jitter"), a bounded number of times; every socket has a connect and
a read timeout. A failure becomes a :class:`CloudError` whose message names what
to do: the IAM action that was refused, the log group that does not exist, the
endpoint that did not answer.
"""

from __future__ import annotations

import random
import re
import time
from typing import Any

from lambda_kit._version import install_hint

#: seconds to connect, and to wait for each answer (StartQuery/GetQueryResults answer fast;
#: the query itself runs server-side and is polled)
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 30.0
#: attempts for a throttled call, and the backoff cap
ATTEMPTS = 6
BACKOFF_BASE_S = 0.2
BACKOFF_CAP_S = 5.0

# error codes AWS uses for "slow down" (CloudWatch Logs: ThrottlingException; StartQuery over
# the concurrent-query limit: LimitExceededException; CloudWatch: Throttling)
THROTTLED = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "LimitExceededException",
        "ServiceUnavailableException",
    }
)
DENIED = frozenset({"AccessDeniedException", "AccessDenied", "UnauthorizedOperation"})


class CloudError(Exception):
    """A CloudWatch call that failed for good; ``str()`` is the one line to print."""


def client(service: str, region: str) -> Any:
    """A boto3 client with bounded sockets and no retries of its own."""
    try:
        import boto3
        from botocore.config import Config
    except ModuleNotFoundError:
        raise CloudError(f"boto3 is not installed: {install_hint('aws')}") from None
    config = Config(
        connect_timeout=CONNECT_TIMEOUT_S,
        read_timeout=READ_TIMEOUT_S,
        retries={"total_max_attempts": 1, "mode": "standard"},
        region_name=region,
    )
    try:
        return boto3.session.Session().client(service, config=config)
    except Exception as err:  # botocore raises many kinds here (no region, bad profile)
        raise CloudError(f"cannot create the {service} client: {err}") from None


def _code(err: Exception) -> str:
    response = getattr(err, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


def _message(err: Exception) -> str:
    response = getattr(err, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Message", "")) or str(err)
    return str(err)


def call(
    aws: Any,
    method: str,
    action: str,
    *,
    attempts: int = ATTEMPTS,
    sleep: Any = time.sleep,
    **params: Any,
) -> dict[str, Any]:
    """``aws.<method>(**params)``, retried when throttled; ``action`` is its IAM action name."""
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        ConnectTimeoutError,
        EndpointConnectionError,
        NoCredentialsError,
        ReadTimeoutError,
    )

    for attempt in range(attempts):
        try:
            result: dict[str, Any] = getattr(aws, method)(**params)
            return result
        except ClientError as err:
            code = _code(err)
            if code in THROTTLED and attempt + 1 < attempts:
                delay = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2**attempt)
                sleep(random.uniform(0, delay))
                continue
            raise _explain(err, code, action, params, attempts) from None
        except (ConnectTimeoutError, ReadTimeoutError):
            raise CloudError(
                f"{action}: no answer from {aws.meta.endpoint_url} "
                f"(connect timeout {CONNECT_TIMEOUT_S:g} s, read timeout {READ_TIMEOUT_S:g} s)"
            ) from None
        except EndpointConnectionError:
            raise CloudError(f"{action}: cannot connect to {aws.meta.endpoint_url}") from None
        except NoCredentialsError:
            raise CloudError(
                "no AWS credentials found (AWS_PROFILE, AWS_ACCESS_KEY_ID, or an instance role)"
            ) from None
        except BotoCoreError as err:
            raise CloudError(f"{action}: {err}") from None
    raise AssertionError("unreachable")  # pragma: no cover: the loop returns or raises


def _one_line(text: str, limit: int = 160) -> str:
    # an endpoint may answer with an HTML page: the CLI prints one line, never a page
    plain = " ".join(re.sub(r"<[^>]*>", " ", text).split())
    return plain if len(plain) <= limit else plain[: limit - 3] + "..."


def _explain(
    err: Exception, code: str, action: str, params: dict[str, Any], attempts: int
) -> CloudError:
    text = _one_line(_message(err))
    group = params.get("logGroupName") or params.get("logGroupIdentifier")
    if code in THROTTLED:
        return CloudError(f"{action}: still throttled after {attempts} attempts ({code}): {text}")
    if code in DENIED:
        return CloudError(
            f"not allowed to call {action}"
            + (f" on log group {group}" if group else "")
            + f": grant the IAM action {action} ({text})"
        )
    if code == "ResourceNotFoundException" and group:
        return CloudError(f"log group {group} does not exist (in this account and region)")
    if code.isdigit():  # no AWS error in the body: botocore gives the HTTP status
        return CloudError(f"{action}: the endpoint answered HTTP {code}: {text}")
    return CloudError(f"{action} failed: {code or type(err).__name__}: {text}")
