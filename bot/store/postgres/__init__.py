"""The PostgreSQL backend: the same store (bot.store.sqlite.store) on a PostgreSQL database through psycopg 3."""
