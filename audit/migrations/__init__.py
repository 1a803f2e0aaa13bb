"""The history store's schema migrations (Alembic): audit/store.py runs them when it opens a store,
under the store's creation lock, so every command upgrades a database in place. docs/storage.md
says how to add one."""
