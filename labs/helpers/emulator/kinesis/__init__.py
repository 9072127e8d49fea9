"""Fidelity patches for Kinesis Data Streams: one module per gap."""
