"""Storage: engine, table base, migrations and the Chinese search index."""
