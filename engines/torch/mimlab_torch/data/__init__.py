"""Datasets, transforms and batches with the semantics of src/data."""
