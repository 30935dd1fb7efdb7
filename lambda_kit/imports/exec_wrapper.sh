#!/bin/sh
# lambda_kit's exec wrapper: profile every import of a Lambda cold start, from the
# runtime client's first import on. Set on the function (the script must be executable):
#   AWS_LAMBDA_EXEC_WRAPPER=/opt/python/lambda_kit/imports/exec_wrapper.sh
# It appends the directory of lambda_kit's sitecustomize.py to PYTHONPATH (after the
# existing entries, so it shadows nothing) and runs the runtime. LAMBDA_KIT_PROFILE_IMPORTS=0
# on the function turns it off without removing the wrapper.
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
export LAMBDA_KIT_PROFILE_IMPORTS="${LAMBDA_KIT_PROFILE_IMPORTS:-1}"
if [ "$LAMBDA_KIT_PROFILE_IMPORTS" != "0" ]; then
  export PYTHONPATH="${PYTHONPATH:+$PYTHONPATH:}$here/_boot"
fi
exec "$@"
