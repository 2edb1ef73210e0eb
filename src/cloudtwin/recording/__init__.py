"""Learning from a real endpoint: the recording and chaos proxies, calibration and drift.

`forward` talks to the upstream faithfully; `proxy` is the request path (journal, fault
decision, clock stamp) with a forwarder where a handler would be; `session` keeps what a
recording saw and `outputs` turns it into a scenario, lifecycles, a fixture overlay and a
HAR; `scrub` keeps secrets out of all of them. Provider knowledge comes only through
`hooks` (each provider's optional `recording` module) and the provider's spec.
"""
