"""The parts behind ``lambda_kit.reuse`` (the public face is that module)."""
