"""deepgm.bn (being written)."""
