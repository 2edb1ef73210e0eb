"""pytest fixtures for code that talks to cloudtwin (registered through the `pytest11` entry point)."""
