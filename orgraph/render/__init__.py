"""Renderers: tables (text, JSON, CSV), maps and snapshot packs."""
