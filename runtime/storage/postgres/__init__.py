"""Production adapters on PostgreSQL (asyncpg)."""
