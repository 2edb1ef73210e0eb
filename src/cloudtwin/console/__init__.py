"""Looking at a twin from outside: CLI verbs against a running twin, serve's request log."""
