"""Shared primitives: base models, domain errors, the audit log, request context, logging. Imports no other app."""
