"""Readers of the book's data sources: FRED series and Treasury TIC files."""
