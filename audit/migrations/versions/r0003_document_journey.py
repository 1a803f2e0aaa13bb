"""A document's journey state (`klartjek journey`: the journey, the state's name, its step), as JSON."""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("journey", sa.Text()))
