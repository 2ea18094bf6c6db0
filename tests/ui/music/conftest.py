"""Music UI tests are silent and deterministic wherever they run: no sound server is reachable
(CI has the PulseAudio library but no server; a developer's machine may have one). Set before any
test asks QtMultimedia for its devices, which it looks up once per process."""
import os

import pytest

os.environ["PULSE_SERVER"] = "unix:/nonexistent/ragart-tests-have-no-sound-server"

from ragart_desktop.ui.music import MusicEditor  # noqa: E402


@pytest.fixture
def editor(qtbot, home):
    """The Music tab shown at 1200 x 760, 40 px per beat, around E4."""
    widget = MusicEditor(home=home)
    qtbot.addWidget(widget)
    widget.resize(1200, 760)
    widget.show()
    qtbot.waitExposed(widget)
    widget.geometry.set_view(left=0.0, ppb=40.0, row=12.0)
    widget.geometry.show_pitch(64)
    yield widget
    widget.shutdown()
