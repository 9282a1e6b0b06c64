"""Cross-source analysis of a story: how the outlets covered it (filled in below)."""
