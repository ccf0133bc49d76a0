"""deepgm.rbm (being written)."""
