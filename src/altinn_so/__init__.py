"""altinn-so: a stateful, wire-faithful emulator of the Altinn II service-owner SOAP API."""

__version__ = "0.1.0"
