"""Generation: a request plus references from the library in, new work with provenance out.

What every kind shares lives here: choosing references (``references``), folding their words into
a prompt (``prompt``), the engine interface (``engine``), and results saved atomically with their
provenance record and written to history (``result``). Each kind keeps its own request and its own
numbered-step pipeline in a subpackage (``image/``, ``music/``, ``text/``).
"""
