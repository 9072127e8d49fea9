"""Fidelity patches for Step Functions: one module per gap."""
