"""Reading what Lambda wrote: REPORT lines, platform events and our own records.

``parse`` turns one line into a sample, ``scan`` feeds lines or whole chunks into
``stats``' aggregate, ``advice`` turns the aggregate into a sizing recommendation,
``render`` / ``html`` / ``emit`` print it, ``files`` reads files, and ``cli`` is
``lambda-kit report``. The CloudWatch side: ``cloudwatch`` (clients, retries,
errors), ``logs`` (FilterLogEvents, running Insights queries), ``insights`` (the
query text and its rows), ``cloud`` (``--log-group``). Never imported on the
cold-start path; boto3 only by ``cloudwatch``.
"""
