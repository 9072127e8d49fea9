"""Fidelity patches for DynamoDB: one module per gap."""
