"""Ingestion adapters: one module per source family.

Each adapter reads one raw format and returns an :class:`~barometer.ingest.base.IngestResult`:
canonical rows (before privacy and geo enrichment) plus quarantined rows, with counts that
reconcile (rows read = rows kept + rows quarantined + duplicates recognised).
"""
