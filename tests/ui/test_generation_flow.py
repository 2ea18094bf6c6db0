"""Generate from the panel: the job runs on the model worker, lands in history, re-runs from it."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabWidget

from ragart_desktop.core.generate.image.request import GenerationRequest
from ragart_desktop.ui.generation import build_generation_request
from ragart_desktop.ui.generation_panel import GenerationForm, PinnedRef


def test_the_panel_values_become_a_valid_request():
    form = GenerationForm(prompt="a red boat", mode="txt2img", engine="builtin",
                          references=[PinnedRef(7, "/lib/boat.png", "boat", "image", 0.5)],
                          retrieve=False, strength=0.3, seed=42, steps=12, batch=2)
    request = build_generation_request(form, size=(771, 500))
    assert isinstance(request, GenerationRequest)
    assert (request.width, request.height) == (771, 500)          # the canvas's size, as it is
    assert build_generation_request(form).width is None           # text-to-image: the model's own
    assert request.references[0].item_id == 7 and request.references[0].weight == 0.5
    assert (request.seed, request.count, request.steps, request.strength) == (42, 2, 12, 0.3)
    assert GenerationRequest.from_json(request.to_json()) == request


def test_generate_with_the_builtin_engine_records_history_and_reruns(qtbot, window, tmp_path, make_images):
    make_images(tmp_path / "art" / "harbour", 4, size=64)
    with qtbot.waitSignal(window.service.imported, timeout=120_000):
        window.import_paths([str(tmp_path / "art")])
    panel = window.generation_panel
    panel.prompt.setPlainText("a harbour at dusk")
    panel.seed.fixed.setChecked(True)
    panel.seed.setValue(1234)
    pinned = window.service.library().browse("image", 0, 2)
    panel.references.pin_items(pinned)
    panel.references.retrieve.setChecked(False)
    with qtbot.waitSignal(window.model_worker.finished, timeout=300_000):
        job_id = window.generate()
    assert job_id is not None
    qtbot.waitUntil(lambda: window.history_view.entry_count() == 1, timeout=10_000)

    record = window.history_store.load()[0]
    assert record.request["prompt"] == "a harbour at dusk" and record.request["seed"] == 1234
    output = Path(record.outputs[0]["path"])
    assert output.exists() and output.suffix == ".png"
    assert record.outputs[0]["seed"] == 1234
    used = panel.references.used                      # what the job used, on screen, marked pinned
    assert used.isVisibleTo(panel) and used.count() == 2
    assert all(used.item(i).text().startswith("★ ") and "pinned" in used.item(i).text() for i in range(2))

    panel.prompt.setPlainText("something else")
    panel.seed.fixed.setChecked(False)
    panel.references.clear_pinned()
    panel.references.retrieve.setChecked(True)
    item = window.history_view.list.item(0)
    stored, index = item.data(Qt.ItemDataRole.UserRole)
    window.history_view.rerun_requested.emit("image", dict(stored.request, seed=stored.outputs[index]["seed"], count=1))
    assert panel.prompt.toPlainText() == "a harbour at dusk"
    assert panel.seed.value() == 1234 and panel.seed.fixed.isChecked()
    assert [p.item_id for p in panel.references.pinned] == [it.id for it in pinned] and not panel.references.retrieve.isChecked()
    # The re-run makes the same picture again.
    with qtbot.waitSignal(window.model_worker.finished, timeout=300_000):
        window.generate()
    qtbot.waitUntil(lambda: window.history_view.entry_count() == 2, timeout=10_000)
    again = window.history_store.load()[-1]
    assert again.request == record.request
    from PIL import Image
    assert Image.open(again.outputs[0]["path"]).tobytes() == Image.open(output).tobytes()


def test_the_canvas_editor_plugs_in_as_a_tab(qtbot, home):
    from ragart_desktop.core.settings import Settings
    from ragart_desktop.ui.main_window import MainWindow

    win = MainWindow(home, Settings())
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.ready, timeout=20_000):
        win.show()
    try:
        tabs: QTabWidget = win.tabs
        assert [tabs.tabText(i) for i in range(tabs.count())] == ["Canvas: Untitled", "Music", "Text"]   # not built yet
        assert win.editor("text").engine.itemData(0) == "builtin"    # the Text tab got the generation service
        assert [tabs.tabText(i) for i in range(tabs.count())] == ["Canvas: Untitled", "Music", "Text: Untitled"]
        assert win.editor_actions["undo"].isEnabled() and win.editor_actions["export"].isEnabled()
        assert win.browser.canvas_button.isEnabled()
        assert win.browser.canvas_image() is not None
    finally:
        win.close()


def test_loras_are_offered_for_diffusion_models_only_and_reach_the_request(qtbot):
    from ragart_desktop.ui.generation_panel import GenerationPanel

    panel = GenerationPanel()
    qtbot.addWidget(panel)
    panel.set_engines([("Built-in", "builtin"), ("tiny-sd (SD1.x)", "tiny-sd")])
    panel.set_loras(["ink-style", "watercolour"])
    panel.loras.item(0).setCheckState(Qt.CheckState.Checked)
    assert not panel.loras.isEnabled() and panel.form().loras == []       # built-in engine selected
    panel.engine.setCurrentIndex(panel.engine.findData("tiny-sd"))
    panel.lora_scale.setValue(0.5)
    panel.prompt.setPlainText("harbour")
    form = panel.form()
    assert form.loras == [("ink-style", 0.5)]
    request = build_generation_request(form)
    assert [(lora.name, lora.scale) for lora in request.loras] == [("ink-style", 0.5)]
    panel.loras.item(0).setCheckState(Qt.CheckState.Unchecked)
    panel.load_request(request.to_json())                                 # history "re-run"
    assert panel.form().loras == [("ink-style", 0.5)]


def test_a_text_job_re_run_from_history_fills_the_text_tab_not_the_image_panel(qtbot, canvas_window):
    win = canvas_window
    text = win.editor("text")
    image_prompt = win.generation_panel.form().prompt
    win.history_view.rerun_requested.emit("text", {"prompt": "雪夜", "form": "wujue", "seed": 7, "count": 2,
                                                   "retrieve": False})
    assert win.current_editor() is text and text.prompt.text() == "雪夜"
    assert text.form_box.currentData() == "wujue" and text.seed.value() == 7 and text.count.value() == 2
    assert not text.retrieve.isChecked() and win.generation_panel.form().prompt == image_prompt


def test_a_rerun_restores_every_value_of_the_stored_request(qtbot):
    from ragart_desktop.core.generate.image.request import LoraSpec, ReferenceSpec
    from ragart_desktop.ui.generation_panel import GenerationPanel

    panel = GenerationPanel()
    qtbot.addWidget(panel)
    panel.set_engines([("Built-in", "builtin"), ("tiny-sd (SD1.x)", "tiny-sd")])
    panel.set_loras(["ink-style"])
    stored = GenerationRequest(prompt="harbour", negative_prompt="fog", engine="tiny-sd", retrieve=False,
                               references=(ReferenceSpec(item_id=3, path="/lib/a.png", weight=0.7),
                                           ReferenceSpec(path="/elsewhere/b.png", weight=0.4)),
                               loras=(LoraSpec("ink-style", 0.5),), n_references=2, reference_strength=0.3,
                               strength=0.4, seed=77, steps=None, guidance=3.5, width=320, height=192)
    panel.load_request(stored.to_json())
    assert build_generation_request(panel.form()) == stored
