"""Alembic's environment for the history store: always run from audit/store.py with the store's
own connection (``config.attributes["connection"]``), inside its transaction, which holds the
database's creation lock (see audit/store.py _create_schema)."""
from __future__ import annotations

from alembic import context

conn = context.config.attributes["connection"]
context.configure(connection=conn, target_metadata=None, render_as_batch=conn.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
