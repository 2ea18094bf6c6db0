"""Image generation engines. ``builtin`` needs no model weights; model-backed engines load lazily."""
