"""Fidelity patches for EventBridge Schema Registry: one module per gap."""
