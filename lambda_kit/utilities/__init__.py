"""Mirrors ``aws_lambda_powertools.utilities`` for the names lambda_kit provides (``typing``)."""
