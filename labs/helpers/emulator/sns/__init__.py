"""Fidelity patches for SNS: one module per gap."""
