"""The Music tab in the main window: `RagArt FILE.mid` opens it there, its generation controls take
the Generate dock while it is current, its undo is the Edit menu's."""
from __future__ import annotations

from ragart_desktop.app import _parse
from ragart_desktop.core.demo.music import PIECES, render_piece
from ragart_desktop.ui.browser.view import KIND_CHOICES
from ragart_desktop.ui.music.generation_panel import MusicGenerationPanel


def test_the_command_line_takes_files_to_open():
    assert _parse(["--home", "/tmp/h", "song.mid", "picture.png"]).files == ["song.mid", "picture.png"]


def test_a_midi_file_given_to_the_window_opens_in_the_music_tab(qtbot, canvas_window, tmp_path):
    win = canvas_window
    path = tmp_path / "blue-hour.mid"
    path.write_bytes(render_piece(next(p for p in PIECES if p.name == "blue-hour-ii-v-i")))
    music = win.editor("music")
    assert win.generation_stack.currentWidget() is win.generation_panel          # the canvas is current
    with qtbot.waitSignal(music.document_loaded, timeout=10_000):
        win.open_paths([str(path)])
    assert win.current_editor() is music and music.doc.score.note_count > 0
    assert win.windowTitle() == "RagArt — blue-hour.mid"
    assert isinstance(win.generation_stack.currentWidget(), MusicGenerationPanel)   # the music modes
    assert win.generation_dock.windowTitle() == "Generate music"
    opened = [list(t.notes) for t in music.doc.score.tracks]
    music.editing.select_all()
    music.editing.transpose(1)
    assert win.windowTitle() == "RagArt — blue-hour.mid*"
    assert win.editor_actions["undo"].isEnabled()
    win.editor_actions["undo"].trigger()                                          # Edit > Undo
    assert [t.notes for t in music.doc.score.tracks] == opened
    win.tabs.setCurrentWidget(win.editor("image"))
    assert win.generation_stack.currentWidget() is win.generation_panel


def test_a_file_no_editor_opens_is_reported_by_name(canvas_window, tmp_path):
    win = canvas_window
    path = tmp_path / "notes.pdf"
    path.write_bytes(b"%PDF-1.4")
    win.open_paths([str(path)])
    assert win.error_panel.isVisible() and "notes.pdf" in win.error_panel.message.text()


def test_history_reruns_a_music_job_in_the_music_tab(canvas_window):
    win = canvas_window
    music = win.editor("music")
    stored = {"mode": "infill", "count": 2, "density": 1.5, "engine": "builtin", "references": [],
              "retrieve": False, "key_lock": True, "temperature": 0.8, "parts": ["bass"]}
    win.history_view.rerun_requested.emit("music", dict(stored, seed=77))
    assert win.current_editor() is music
    form = music.panel.form()
    assert (form.mode, form.count, form.density, form.seed, form.retrieve, form.parts) == \
        ("infill", 2, 1.5, 77, False, ("bass",))


MIDI = ("rainy-window-loop", "lantern-waltz", "minuet-in-g", "blue-hour-ii-v-i", "tidal-drift", "harbour-reel")


def test_find_similar_to_the_selection_ranks_library_pieces_in_the_browser(qtbot, canvas_window, tmp_path, make_images):
    """Selected notes -> the browser's query (the phrase as a MIDI example) -> library MIDI pieces,
    ranked: the piece the notes come from first, no picture among them."""
    win = canvas_window
    folder = tmp_path / "library"
    folder.mkdir()
    for spec in PIECES:
        if spec.name in MIDI:
            (folder / f"{spec.name}.mid").write_bytes(render_piece(spec))
    make_images(folder / "pictures", 3)
    with qtbot.waitSignal(win.service.imported, timeout=120_000):
        win.import_paths([str(folder)])
    music = win.editor("music")
    with qtbot.waitSignal(music.document_loaded, timeout=10_000):
        win.open_paths([str(folder / "lantern-waltz.mid")])
    music.state.select([n for n in music.doc.score.tracks[0].notes if n.start < 12.0])   # its first bars
    browser = win.browser
    with qtbot.waitSignal(browser.search_finished, timeout=60_000):      # an earlier search, of pictures
        browser.search_box.setText("harbour")
        browser.kind_box.setCurrentIndex(next(i for i, (_, kind) in enumerate(KIND_CHOICES) if kind == "image"))
    music.panel.similar_button.click()
    rows = lambda: [browser.model.row(i).item for i in range(browser.model.rowCount())]   # noqa: E731
    # The search runs on the library worker, after any earlier one: wait for its answer.
    qtbot.waitUntil(lambda: [item.path for item in rows()[:1]] == [str(folder / "lantern-waltz.mid")], timeout=60_000)
    assert all(item.kind == "music" for item in rows()) and len(rows()) == len(MIDI)
    examples = browser.examples.examples
    assert len(examples) == 1 and examples[0].kind == "music" and examples[0].label == "the 12 selected notes"
    assert browser.search_box.text() == "" and KIND_CHOICES[browser.kind_box.currentIndex()][1] in (None, "music")
    assert browser.isVisible()

