"""Developer tools (downloading test oracles, generating code); not used at runtime."""
