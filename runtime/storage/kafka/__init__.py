"""Production message log on Kafka (aiokafka)."""
