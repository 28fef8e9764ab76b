"""Versioned SQL migrations, one folder per dialect (files NNNN_name.sql, applied in order)."""
