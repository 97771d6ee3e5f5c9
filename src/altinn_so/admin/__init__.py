"""The admin side of the emulator: a JSON API and a web page under ``/_admin``."""
