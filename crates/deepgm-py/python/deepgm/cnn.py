"""deepgm.cnn (being written)."""
