"""reminders, extensions and derivable links

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import nimeamiset.db

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("nomination_request", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "token_nonce",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(sa.Column("deadline", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("reminders_sent", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("last_reminder_slot", sa.Integer(), nullable=False, server_default="-1")
        )
        batch_op.add_column(
            sa.Column("next_reminder_at", nimeamiset.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_nomination_request_next_reminder_at"), ["next_reminder_at"], unique=False
        )

    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "reminder_offsets",
                sqlmodel.sql.sqltypes.AutoString(length=200),
                nullable=False,
                server_default="7,2,-1",
            )
        )
        batch_op.add_column(
            sa.Column("next_summary_at", nimeamiset.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("summary_sent_for", sa.Date(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_round_next_summary_at"), ["next_summary_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_round_next_summary_at"))
        batch_op.drop_column("summary_sent_for")
        batch_op.drop_column("next_summary_at")
        batch_op.drop_column("reminder_offsets")

    with op.batch_alter_table("nomination_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nomination_request_next_reminder_at"))
        batch_op.drop_column("next_reminder_at")
        batch_op.drop_column("last_reminder_slot")
        batch_op.drop_column("reminders_sent")
        batch_op.drop_column("deadline")
        batch_op.drop_column("token_nonce")
