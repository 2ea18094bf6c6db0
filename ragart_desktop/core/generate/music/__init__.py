"""Music generation: the request, the shared plan (understand, retrieve, fuse), the engines
(built-in Markov, MIDI language model), evaluation and the numbered-step pipeline."""
