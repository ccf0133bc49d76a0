"""deepgm.mrf (being written)."""
