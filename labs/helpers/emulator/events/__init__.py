"""Fidelity patches for EventBridge: one module per gap."""
