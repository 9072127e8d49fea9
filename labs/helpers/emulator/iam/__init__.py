"""Fidelity patches for IAM: one module per gap."""
