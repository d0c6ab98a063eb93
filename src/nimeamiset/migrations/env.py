"""Alembic environment: runs on the connection nimeamiset hands it (see ``schema.upgrade``)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import nimeamiset.models  # noqa: F401  (registers the tables)
from nimeamiset.db import make_engine

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
        with engine.connect() as connection:
            _run(connection)
        return
    _run(connection)


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
