"""The msgprocessor: consumes the message log (Kafka) and persists what the message nodes
made durable in their write-ahead logs, idempotently (at-least-once log)."""
