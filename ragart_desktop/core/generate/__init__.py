"""Generation: turning a request plus references from the library into new work (images first)."""
