"""Preferences → Library: back up now, and restore a lost catalog with its tags (off the UI thread)."""
from __future__ import annotations

from ragart_desktop.core.settings import Settings
from ragart_desktop.ui.settings_dialog import SettingsDialog


def test_back_up_now_then_restore_a_lost_catalog_from_the_preferences(qtbot, tmp_path):
    from ragart_desktop.core.home import Home
    from ragart_desktop.ui.backup_panel import BackupPanel
    from ragart_desktop.ui.library_service import LibraryService
    from tests.core.library.conftest import painting

    pics = tmp_path / "pics"
    pics.mkdir()
    painting(1).save(pics / "harbour.png")
    home = Home(tmp_path / "h").ensure()
    service = LibraryService(home, Settings())
    try:
        with qtbot.waitSignal(service.imported, timeout=120_000):
            service.import_paths([pics])
        item = service.library().resolve(str(pics / "harbour.png")).id
        service.library().add_tags(item, ["keep-me"])
        panel = BackupPanel(home, service)
        dialog = SettingsDialog(Settings(), backups=panel)
        qtbot.addWidget(dialog)
        assert panel.list.count() == 1 and panel.restore_button.isEnabled()
        panel.backup_now()
        qtbot.waitUntil(lambda: "Backed up" in panel.state.text(), timeout=30_000)
        assert panel.list.count() == 2

        service.library().close()
        home.catalog_path.write_bytes(b"")             # the catalog is lost
        panel.restore(panel.selected())
        qtbot.waitUntil(lambda: panel.state.text().startswith(("Restored", "Not restored")), timeout=60_000)
        assert panel.state.text().startswith("Restored 1 item from")
        assert "keep-me" in service.library().get_item(item).tags
    finally:
        service.close()
