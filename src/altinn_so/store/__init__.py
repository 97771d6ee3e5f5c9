"""Persistence behind the domain's repository interfaces."""
