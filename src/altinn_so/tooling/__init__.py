"""Developer tools, not used at runtime (the emulator never imports this package)."""
