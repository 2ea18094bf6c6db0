"""Preferences edit the one Settings object; what the dialog saves is what the app loads."""
from __future__ import annotations

from ragart_desktop.core.settings import Settings
from ragart_desktop.ui.settings_dialog import SettingsDialog, apply_settings

TRUSTED = {"path": "/m/x.ckpt", "size": 10, "sha256": "0" * 64}


def test_settings_round_trip_through_the_dialog_and_the_file(qtbot, home, tmp_path):
    original = Settings(library_roots=["/art/old"], model_paths=["/models/a"], trusted_models=[TRUSTED])
    dialog = SettingsDialog(original)
    qtbot.addWidget(dialog)
    dialog.roots.add_folder("/art/new")
    dialog.models.list.clear()
    dialog.device.setCurrentIndex(dialog.device.findData("cpu"))
    dialog.memory.setCurrentIndex(dialog.memory.findData("low"))
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    dialog.fusion.setValue(0.25)
    dialog.mmr.setValue(0.9)
    dialog.pagerank.setChecked(True)
    edited = dialog.result_settings()

    edited.save(home.settings_path)
    loaded = Settings.load(home.settings_path)
    assert loaded == edited
    assert loaded.library_roots == ["/art/old", "/art/new"]
    assert loaded.model_paths == []
    assert loaded.trusted_models == [TRUSTED]              # not shown in the dialog, kept
    assert (loaded.device, loaded.memory_mode, loaded.theme) == ("cpu", "low", "dark")
    assert (loaded.fusion_weight, loaded.mmr_lambda, loaded.use_pagerank) == (0.25, 0.9, True)

    # The running app keeps one Settings object (the library holds it): it is updated in place.
    changed = apply_settings(original, loaded)
    assert original == loaded
    assert set(changed) == {"library_roots", "model_paths", "device", "memory_mode", "theme",
                            "fusion_weight", "mmr_lambda", "use_pagerank"}


def test_unchanged_dialog_returns_equal_settings(qtbot):
    settings = Settings(device="mps", theme="light", fusion_weight=0.7)
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    assert dialog.result_settings() == settings


def test_the_library_folders_are_listed_and_new_ones_added(qtbot):
    dialog = SettingsDialog(Settings(library_roots=["/art/a"]), library_roots=["/art/a", "/art/b"])
    qtbot.addWidget(dialog)
    assert dialog.roots.folders() == ["/art/a", "/art/b"]
    dialog.roots.add_folder("/art/c")
    dialog.roots.add_folder("/art/a")                       # already there: not twice
    assert dialog.result_settings().library_roots == ["/art/a", "/art/b", "/art/c"]
