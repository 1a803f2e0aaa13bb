"""The worker of a distributed audit that did a document (`klartjek worker`, docs/scale.md)."""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("worker", sa.String(200)))
