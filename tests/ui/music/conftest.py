"""Music UI tests are silent and deterministic wherever they run: no sound server is reachable
(CI has the PulseAudio library but no server; a developer's machine may have one). Set before any
test asks QtMultimedia for its devices, which it looks up once per process."""
import os

os.environ["PULSE_SERVER"] = "unix:/nonexistent/ragart-tests-have-no-sound-server"
