"""What Powertools for AWS Lambda users' code needs beside lambda_kit's own API.

``from lambda_kit import Logger, Metrics, Tracer`` gives the compatible classes
(``lambda_kit.log.powertools``, ``lambda_kit.metrics``' ``Metrics``,
``lambda_kit.compat.tracer``); this package holds what they share: the one
invocation record their decorators produce (``_record``), the correlation-id
paths (``_paths``), and ``lambda-kit migrate`` (``migrate``, ``cli``).
See docs/migrate-from-powertools.md.
"""
