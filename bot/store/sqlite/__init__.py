"""The SQLite backend of the store: one file (WAL), one writer thread per process."""
