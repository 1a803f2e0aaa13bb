"""The store as klartjek 1.x wrote it before migrations were Alembic's (store schema 2): created
here for a new database; an older database is brought to it by audit/store.py (its missing columns,
all nullable, added) and stamped with this revision."""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table("klartjek_meta", sa.Column("key", sa.String(64), primary_key=True), sa.Column("value", sa.Text))
    op.create_table(
        "runs",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("started_at", sa.String(40), nullable=False), sa.Column("ended_at", sa.String(40)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("klartjek_version", sa.String(32)), sa.Column("axe_version", sa.String(32)),
        sa.Column("browser_version", sa.String(64)), sa.Column("config_hash", sa.String(32)),
        sa.Column("config", sa.Text), sa.Column("targets", sa.Text),
        sa.Column("score", sa.Float), sa.Column("blocked_requests", sa.Integer),
        sa.Column("plain_score", sa.Float), sa.Column("crawl", sa.Text), sa.Column("workdir", sa.Text))
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(64), sa.ForeignKey("runs.id"), nullable=False, index=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False), sa.Column("url", sa.Text), sa.Column("path", sa.Text),
        sa.Column("title", sa.Text), sa.Column("language", sa.String(35)), sa.Column("content_hash", sa.String(64)),
        sa.Column("status", sa.String(16), nullable=False), sa.Column("error", sa.Text), sa.Column("score", sa.Float),
        sa.Column("blocked_requests", sa.Integer),
        sa.Column("started_at", sa.String(40)), sa.Column("ended_at", sa.String(40)),
        sa.Column("plain_score", sa.Float), sa.Column("readability", sa.Text), sa.Column("reused_from", sa.String(64)),
        sa.Column("final_url", sa.Text), sa.Column("aliases", sa.Text), sa.Column("site_path", sa.Text))
    op.create_table(
        "check_results",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), nullable=False, index=True),
        sa.Column("code", sa.String(16), nullable=False), sa.Column("name", sa.String(80), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False), sa.Column("impact", sa.String(16)),
        sa.Column("wcag", sa.Text), sa.Column("level", sa.String(4)), sa.Column("error", sa.Text),
        sa.Column("category", sa.String(32)), sa.Column("target_kind", sa.String(16)))
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("check_result_id", sa.Integer, sa.ForeignKey("check_results.id"), nullable=False, index=True),
        sa.Column("outcome", sa.String(16), nullable=False), sa.Column("target", sa.Text), sa.Column("html", sa.Text),
        sa.Column("message_da", sa.Text), sa.Column("message_en", sa.Text), sa.Column("impact", sa.String(16)),
        sa.Column("help_url", sa.Text), sa.Column("fingerprint", sa.String(32), index=True),
        sa.Column("span_start", sa.Integer), sa.Column("span_end", sa.Integer), sa.Column("excerpt", sa.Text),
        sa.Column("suggestion_da", sa.Text), sa.Column("suggestion_en", sa.Text))
    op.create_table(
        "artifacts",
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), primary_key=True),
        sa.Column("data", sa.LargeBinary, nullable=False))
