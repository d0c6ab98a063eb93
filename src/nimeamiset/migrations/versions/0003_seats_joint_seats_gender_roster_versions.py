"""seats, joint seats, gender and roster versions

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import nimeamiset.db

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "roster_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("assembled_at", nimeamiset.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["round.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round_id", "version"),
    )
    with op.batch_alter_table("roster_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roster_version_round_id"), ["round_id"], unique=False)

    with op.batch_alter_table("nomination_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seats", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(
            sa.Column("joint_group", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )
        batch_op.add_column(
            sa.Column("fills_joint_seat", sa.Boolean(), nullable=False, server_default=sa.false())
        )

    with op.batch_alter_table("nominee", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("gender", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True)
        )

    with op.batch_alter_table("reply", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sqlmodel.sql.sqltypes.AutoString(length=16),
                nullable=False,
                server_default="nomination",
            )
        )

    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("gender_balance", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("assemble_days_before", sa.Integer(), nullable=False, server_default="7")
        )
        batch_op.add_column(
            sa.Column("invite_to_meeting", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("next_assembly_at", nimeamiset.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("meeting_sequence", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.create_index(
            batch_op.f("ix_round_next_assembly_at"), ["next_assembly_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_round_next_assembly_at"))
        batch_op.drop_column("meeting_sequence")
        batch_op.drop_column("next_assembly_at")
        batch_op.drop_column("invite_to_meeting")
        batch_op.drop_column("assemble_days_before")
        batch_op.drop_column("gender_balance")

    with op.batch_alter_table("reply", schema=None) as batch_op:
        batch_op.drop_column("kind")

    with op.batch_alter_table("nominee", schema=None) as batch_op:
        batch_op.drop_column("gender")

    with op.batch_alter_table("nomination_request", schema=None) as batch_op:
        batch_op.drop_column("fills_joint_seat")
        batch_op.drop_column("joint_group")
        batch_op.drop_column("seats")

    with op.batch_alter_table("roster_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roster_version_round_id"))

    op.drop_table("roster_version")
