"""Use cases. Each takes a session and ``now`` from its caller and commits once."""
