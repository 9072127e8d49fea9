"""Fidelity patches for SQS: one module per gap."""
