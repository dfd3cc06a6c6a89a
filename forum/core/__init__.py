"""Capability-free building blocks: the model base, errors, security helpers, pagination."""
