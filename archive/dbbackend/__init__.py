"""A PostgreSQL backend that starts the embedded server before its first connection."""
