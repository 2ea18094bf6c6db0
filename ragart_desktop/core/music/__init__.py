"""Symbolic music helpers shared by the MIDI metadata reader and the music embedder."""
