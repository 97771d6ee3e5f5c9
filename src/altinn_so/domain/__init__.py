"""Altinn's rules and state in plain Python: nothing in this package knows about SOAP."""
