"""Results explained where the artist works: references (click to reveal in the browser), scores with
what each means, and a near-copy warning naming the library item, in the result strip and history."""
from __future__ import annotations

from pathlib import Path

from PIL import Image

from ragart_desktop.core.settings import Settings
from tests.ui.dialogs import close_discarding

RECORD = {
    "seed": 7, "engine": "builtin", "engine_name": "Built-in patch synthesis",
    "references": [{"id": 3, "path": "/art/landscapes/desert-mesa-sunset.png", "weight": 1.0, "source": "pinned",
                    "why": "pinned by you"},
                   {"id": 9, "path": "/art/sea/calm-bay.png", "weight": 0.41, "source": "retrieved",
                    "why": "words: bay"}],
    "scores": {"reference_similarity": 0.83, "max_reference_similarity": 0.97, "prompt_fit": 0.42},
    "prompt_fit_method": "library-words",
    "nearest_library_item": {"id": 3, "similarity": 0.97},
    "warnings": ["near-copy of /art/landscapes/desert-mesa-sunset.png (similarity 0.97): consider a lower "
                 "strength or more references"],
}


def test_a_record_is_explained_in_words():
    from ragart_desktop.ui.result_details import explain

    explained = explain(RECORD)
    assert [r.name for r in explained.references] == ["desert-mesa-sunset.png", "calm-bay.png"]
    labels = {s.key: s.label for s in explained.scores}
    assert labels["reference_similarity"] == "Like its references"
    assert labels["prompt_fit"] == "Prompt words (indirect)"          # not passed off as a CLIP score
    assert labels["nearest_similarity"] == "Nearest library item"
    assert all(s.meaning for s in explained.scores)
    assert explained.near_copy.name == "desert-mesa-sunset.png" and explained.near_copy.item_id == 3
    assert explained.warnings == []


MUSIC_OUTPUT = {
    "seed": 3, "path": "/work/continue-1.mid",
    "metrics": {"in_key_ratio": 1.0, "note_density": 2.5, "style_match": 0.61, "longest_copy_notes": 18},
    "nearest_library_item": {"id": 5, "path": "/art/folk/hill-reel.mid", "similarity": 0.88},
    "near_copy": True,
    "warnings": ["near copy: a passage of 18 notes (from beat 8) matches cradle-song.mid up to key and tempo"],
}


def test_a_music_job_is_explained_in_musical_words_and_names_the_copied_piece():
    from ragart_desktop.ui.result_details import explain

    explained = explain(MUSIC_OUTPUT, "music")
    labels = {s.key: (s.label, s.meaning) for s in explained.scores}
    assert labels["in_key_ratio"][0] == "In key" and labels["style_match"][0] == "Style match"
    assert labels["longest_copy_notes"][0] == "Longest copied passage"
    assert "picture" not in labels["nearest_similarity"][1] and "music" in labels["nearest_similarity"][1]
    # The passage comes from another piece than the nearest one: that piece is named, not shown as it.
    assert explained.near_copy.name == "cradle-song.mid" and explained.near_copy.item_id is None
    assert explained.warnings == []


def test_the_result_strip_shows_references_scores_and_the_near_copy(qtbot, home):
    from ragart_desktop.ui.canvas import CanvasEditor

    editor = CanvasEditor(home=home)
    qtbot.addWidget(editor)
    editor.show()
    editor.add_result(Image.new("RGB", (64, 64), (200, 120, 40)), RECORD)
    details = editor.results.details
    assert details.near_copy.isVisible()
    assert "Near-copy of desert-mesa-sunset.png" in details.near_copy.text() and "0.97" in details.near_copy.text()
    shown = [details.scores.itemAt(i).widget().text() for i in range(details.scores.count())]
    assert "Like its references" in shown and "0.83" in shown and "Prompt words (indirect)" in shown
    assert "no CLIP model: the prompt vs look-alikes' words" in shown  # what the score means, on screen
    buttons = details.reference_buttons
    assert len(buttons) == 2 and buttons[0].text().startswith("desert-mesa-s") and "0.41" in buttons[1].text()
    with qtbot.waitSignal(editor.reveal_requested) as revealed:
        buttons[1].click()
    assert revealed.args == [[3, 9], 9]
    assert "near-copy" in editor.results.list.item(0).text()
    editor.shutdown()


def test_a_near_copy_from_a_real_generation_is_explained_in_the_strip_and_history_and_revealed(
        qtbot, home, tmp_path, make_images):
    """Refining a library picture at strength 0 hands it back: the guard flags it, the app says so."""
    from ragart_desktop.ui.main_window import MainWindow

    paths = make_images(tmp_path / "art" / "harbour", 4, size=64)
    win = MainWindow(home, Settings(), load_editor_tabs=True)
    with qtbot.waitSignal(win.ready, timeout=20_000):
        win.show()
    try:
        with qtbot.waitSignal(win.service.imported, timeout=300_000):
            win.import_paths([str(tmp_path / "art")])
        canvas = win.tabs.widget(0)
        canvas.open_path(paths[2])
        panel = win.generation_panel
        panel.mode.setCurrentIndex(panel.mode.findData("refine"))
        panel.strength.setValue(0)
        panel.prompt.setPlainText("harbour")
        with qtbot.waitSignal(win.model_worker.finished, timeout=300_000):
            win.generate()
        qtbot.waitUntil(lambda: len(canvas.results) == 1, timeout=10_000)
        details = canvas.results.details
        assert details.near_copy.isVisible() and paths[2].name in details.near_copy.text()
        assert details.reference_buttons and details.scores.count() >= 3
        qtbot.waitUntil(lambda: not details.reference_buttons[0].icon().isNull(), timeout=30_000)  # thumbnails
        # History shows the same, and marks the tile.
        qtbot.waitUntil(lambda: win.history_view.entry_count() == 1, timeout=10_000)
        win.history_view.list.setCurrentRow(0)
        assert win.history_view.details.near_copy.isVisible()
        assert "near-copy" in win.history_view.list.item(0).text()
        # "Show it" reveals the copied item in the browser, selected.
        with qtbot.waitSignal(win.browser.items_shown, timeout=30_000):
            details.near_copy.linkActivated.emit("show")
        selected = win.browser.selected_items()
        assert [Path(item.path).name for item in selected] == [paths[2].name]
    finally:
        close_discarding(win)


def test_the_near_copy_guard_s_own_words_and_the_reference_words_score_are_explained():
    from ragart_desktop.core.generate.image.evaluate import Evaluation
    from ragart_desktop.core.generate.image.near_copy import CopyMatch
    from ragart_desktop.ui.result_details import explain

    ev = Evaluation(scores={"prompt_words_in_references": 0.5}, prompt_fit_method="reference-words",
                    nearest=CopyMatch(12, "/art/sea/calm-bay.png", 0.93))
    ev.warnings.append("near-copy of /art/sea/calm-bay.png: 93% of the picture is copied from it (flagged from 40%).")
    explained = explain({**ev.to_json(), "references": []})    # the copied picture is not a reference
    assert explained.near_copy.name == "calm-bay.png" and explained.near_copy.item_id == 12
    labels = {s.key: (s.label, s.meaning) for s in explained.scores}
    assert labels["prompt_words_in_references"][0] == "Prompt words in references"
    assert "copied" in labels["nearest_similarity"][1]
