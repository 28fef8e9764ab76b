"""Production adapters on Redis (redis.asyncio): online state and the hot message window."""
