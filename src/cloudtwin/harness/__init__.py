"""Scenario replays, contract runs and the pytest plugin: what drives a twin from outside."""
