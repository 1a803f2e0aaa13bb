"""A run's project (the portfolio's label: `klartjek audit --project NAME`), indexed for the
portfolio's queries."""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("project", sa.String(200)))
        batch.create_index("ix_runs_project_started", ["project", "started_at"])
