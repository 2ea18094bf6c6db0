"""A music job from the Music tab: the real pipeline (built-in engine) over a library of the demo
pieces, its variations on screen with metrics and references, one accepted as one undo step."""
from __future__ import annotations

import pytest

from ragart_desktop.core.music.midi_io import read_score
from ragart_desktop.core.settings import Settings
from ragart_desktop.ui.generation_service import GenerationService
from ragart_desktop.ui.music import MusicEditor
from tests.core.generate.music.conftest import demo_midi, music_library, piece  # noqa: F401
from tests.core.library.conftest import shared_embedders  # noqa: F401


@pytest.fixture
def studio(qtbot, home, music_library):  # noqa: F811
    service = GenerationService(home, lambda: music_library)
    editor = MusicEditor(home=home)
    qtbot.addWidget(editor)
    editor.attach(service, Settings())
    editor.resize(1200, 800)
    editor.show()
    yield editor, service
    editor.shutdown()
    service.shutdown()


def test_a_continuation_is_offered_with_its_references_and_accepted_as_one_step(qtbot, studio, demo_midi):  # noqa: F811
    editor, service = studio
    with qtbot.waitSignal(editor.document_loaded, timeout=10_000):
        editor.open_path(piece(demo_midi, "the-millers-daughter"))
    before = editor.doc.score.copy()
    panel = editor.panel
    panel.mode.setCurrentIndex(panel.mode.findData("continue"))
    panel.source.setCurrentIndex(panel.source.findData(False))          # from the end of the piece
    panel.bars.setValue(2)
    panel.count.setValue(2)
    panel.seed.fixed.setChecked(True)
    panel.seed.setValue(11)
    qtbot.waitUntil(lambda: "end of the piece" in panel.scope.text(), timeout=2000)   # what it will work on
    editor.generate()
    assert not panel.generate_button.isEnabled()                         # one job at a time
    qtbot.waitUntil(lambda: len(editor.results) == 2, timeout=120_000)
    assert panel.generate_button.isEnabled()

    record = service.history.load()[0]
    assert record.kind == "music" and record.request["mode"] == "continue"
    used = [panel.references.used.item(i).text() for i in range(panel.references.used.count())]
    assert used and all("retrieved" in line for line in used)             # the library pieces it learned from
    card = editor.results.cards[1]
    lines = [w.text() for w in card.findChildren(type(panel.scope))]
    assert any(line.startswith("In key: ") for line in lines) and any("Style match" in line for line in lines)

    variation = editor.results.variations[1]
    assert variation.merged.added > 0 and variation.merged.removed == 0
    assert variation.merged.start >= before.notes_end                   # after the piece, not over it
    assert editor.doc.score.note_count == before.note_count               # offered, not applied
    card.play_button.click()                                              # audition: the score with it, unchanged
    assert editor.player.playing and editor.results.playing == 1
    assert editor.doc.score.note_count == before.note_count and not editor.is_modified()
    card.play_button.click()
    assert not editor.player.playing and editor.results.playing is None
    card.findChildren(type(panel.generate_button))[0].click()             # Accept
    assert editor.doc.score.note_count == before.note_count + variation.merged.added
    assert len(editor.results) == 1 and editor.is_modified()
    assert editor.doc.score.end > before.end                             # two bars longer
    saved = read_score(record.outputs[0]["path"])                         # the variation's file, as history keeps it
    assert saved.note_count == variation.result.note_count
    assert editor.undo_stack().undo()                                     # one step takes it all back
    assert [t.notes for t in editor.doc.score.tracks] == [t.notes for t in before.tracks]


def test_a_vary_without_notes_says_what_it_needs(qtbot, studio):
    editor, _ = studio
    errors = []
    editor.error_occurred.connect(errors.append)
    panel = editor.panel
    panel.mode.setCurrentIndex(panel.mode.findData("vary"))
    panel.generate_requested.emit()
    assert errors and "needs notes" in str(errors[0]) and panel.generate_button.isEnabled()


def test_a_library_piece_opened_and_continued_is_not_its_own_reference(qtbot, studio, demo_midi, music_library):  # noqa: F811
    """The phrase cut from an opened library piece would find that piece first and be called a
    near copy of it; the open document's own item is left out, and the others fill its place."""
    editor, service = studio
    source = piece(demo_midi, "rainy-window-loop")
    own = music_library.resolve(str(source)).id
    with qtbot.waitSignal(editor.document_loaded, timeout=10_000):
        editor.open_path(source)
    panel = editor.panel
    panel.source.setCurrentIndex(panel.source.findData(False))          # continue from the end
    panel.bars.setValue(1)
    panel.count.setValue(1)
    editor.generate()
    qtbot.waitUntil(lambda: len(editor.results) == 1, timeout=120_000)
    record = service.history.load()[0]
    assert record.request["source"] == str(source)
    used = [r["id"] for r in record.outputs[0]["references"]]
    assert own not in used and len(used) == 6
    shown = [panel.references.used.item(i).toolTip() for i in range(panel.references.used.count())]
    assert len(shown) == 6 and not any(str(source) in tip for tip in shown)
    assert not record.outputs[0]["near_copy"] and record.outputs[0]["nearest_library_item"]["id"] != own


def _two_bars_then_silence(path):
    """Seven notes ending mid-way through bar 2, in a file whose end marker is at bar 20."""
    from ragart_desktop.core.music.midi_io import write_score
    from ragart_desktop.core.music.score import Note, Score, TempoChange, TimeSignature, Track
    from ragart_desktop.core.music.theory import Key

    score = Score(tempos=[TempoChange(0.0, 100.0)], time_signatures=[TimeSignature(0.0, 4, 4)],
                  key=Key("A", "minor"), length=80.0)
    score.add_track(Track("Melody", notes=[Note(b, b + 1, p, 80) for b, p in enumerate((57, 60, 64, 62, 60, 59, 57))]))
    return write_score(score, path)


@pytest.mark.parametrize("from_selection", [False, True])
def test_a_continuation_follows_the_last_notes_bar(qtbot, studio, tmp_path, from_selection):
    """The piece's notes stop in bar 2 and it ends at bar 20: the new bar is bar 3, as the panel
    says before the job runs (from the end, it used to look for notes in bars 13-20, find none and
    write a new phrase over bar 1)."""
    editor, _ = studio
    with qtbot.waitSignal(editor.document_loaded, timeout=10_000):
        editor.open_path(_two_bars_then_silence(tmp_path / "short.mid"))
    before = editor.doc.score.copy()
    panel = editor.panel
    panel.source.setCurrentIndex(panel.source.findData(from_selection))
    if from_selection:
        editor.editing.select_all()
    panel.bars.setValue(1)
    panel.count.setValue(1)
    qtbot.waitUntil(lambda: "bar 3" in panel.scope.text(), timeout=2000)
    editor.generate()
    qtbot.waitUntil(lambda: len(editor.results) == 1, timeout=120_000)
    merged = editor.results.variations[1].merged
    assert merged.removed == 0 and merged.added > 0
    assert merged.start == pytest.approx(8.0) and merged.end <= 12.0 + 1e-6       # bar 3, and only bar 3
