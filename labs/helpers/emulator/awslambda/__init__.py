"""Fidelity patches for Lambda (``lambda`` is a Python keyword, hence moto's own name ``awslambda``): one module per gap."""
