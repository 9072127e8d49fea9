"""Fidelity patches for DynamoDB Streams: one module per gap."""
