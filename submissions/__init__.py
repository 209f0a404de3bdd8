"""Barrier reports: filing, triage, co-signing and open data."""
