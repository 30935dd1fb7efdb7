#!/bin/sh
# lambda_kit's exec wrapper: profile every import of a Lambda cold start, from the
# runtime client's first import on. Set on the function (the script must be executable):
#   AWS_LAMBDA_EXEC_WRAPPER=/opt/python/lambda_kit/imports/exec_wrapper.sh
# It appends the directory of lambda_kit's sitecustomize.py to PYTHONPATH (after the
# existing entries, so it shadows nothing) and runs the runtime. LAMBDA_KIT_PROFILE_IMPORTS=0
# on the function turns it off without removing the wrapper.
# bash (Lambda's /bin/sh) has the wall clock without a fork: the process's start, to the
# microsecond, for init_duration_ms (lambda_kit.environment.START_STAMP_ENV)
if [ -n "${EPOCHREALTIME:-}" ]; then export LAMBDA_KIT_START_EPOCH="$EPOCHREALTIME"; fi
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
export LAMBDA_KIT_PROFILE_IMPORTS="${LAMBDA_KIT_PROFILE_IMPORTS:-1}"
if [ "$LAMBDA_KIT_PROFILE_IMPORTS" != "0" ]; then
  export PYTHONPATH="${PYTHONPATH:+$PYTHONPATH:}$here/_boot"
fi
exec "$@"
