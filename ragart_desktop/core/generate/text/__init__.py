"""Text generation: poems and lyrics from the artist's own passages (see ``pipeline``)."""
