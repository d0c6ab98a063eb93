"""Prefect flows: orchestration only. Each task opens a session, calls one service, returns
small values (ids and counts, never ORM objects, personal data or link tokens)."""
