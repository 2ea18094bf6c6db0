"""Look and feel: the Fusion style with a light or dark palette, and a few accents."""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QApplication, QLabel, QProxyStyle, QStyle, QWidget

ACCENT = "#3d7bd9"

_DARK = {
    QPalette.ColorRole.Window: "#2b2d31",
    QPalette.ColorRole.WindowText: "#e3e5e8",
    QPalette.ColorRole.Base: "#1f2023",
    QPalette.ColorRole.AlternateBase: "#26282c",
    QPalette.ColorRole.ToolTipBase: "#1f2023",
    QPalette.ColorRole.ToolTipText: "#e3e5e8",
    QPalette.ColorRole.PlaceholderText: "#8a8f98",
    QPalette.ColorRole.Text: "#e3e5e8",
    QPalette.ColorRole.Button: "#34373c",
    QPalette.ColorRole.ButtonText: "#e3e5e8",
    QPalette.ColorRole.BrightText: "#ff6b6b",
    QPalette.ColorRole.Highlight: ACCENT,
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#79a8f0",
    QPalette.ColorRole.Mid: "#3c3f45",
    QPalette.ColorRole.Dark: "#18191b",
    QPalette.ColorRole.Light: "#45484f",
}

# The few accents that need more than the palette, each set on its own widgets (``accent``). One
# style sheet on the whole application would do the same with selectors, but then every widget of
# the app goes through Qt's style-sheet style: building the Music tab took 55 ms instead of 20.
_ACCENTS = {
    "primary": """QPushButton { background: %(accent)s; color: white; font-weight: bold; border-radius: 4px; }
                  QPushButton:disabled { background: palette(mid); color: palette(placeholder-text); }""",
    "alert": """#alert { background: %(alert_bg)s; border: 1px solid %(alert_border)s; border-radius: 4px; }
                QLabel#alert { padding: 2px 6px; }""",
    "tabs": "QTabBar::tab { padding: 5px 14px; }",
}
ACCENT_PROPERTY = "ragartAccent"


class RagartStyle(QProxyStyle):
    """Fusion, with check boxes whose frame stays visible on a dark palette: Fusion draws it in a
    shade of the window colour, which on a dark window all but disappears when unchecked."""

    CHECKS = (QStyle.PrimitiveElement.PE_IndicatorCheckBox, QStyle.PrimitiveElement.PE_IndicatorItemViewItemCheck)

    def __init__(self):
        super().__init__("Fusion")

    def drawPrimitive(self, element, option, painter: QPainter, widget=None) -> None:
        super().drawPrimitive(element, option, painter, widget)
        if element in self.CHECKS and option.palette.color(QPalette.ColorRole.Window).lightness() < 128:
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(QPen(option.palette.color(QPalette.ColorRole.PlaceholderText), 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(QRectF(option.rect).adjusted(0.5, 0.5, -0.5, -0.5), 2, 2)
            painter.restore()


def is_dark(theme: str, app: QApplication) -> bool:
    if theme in ("dark", "light"):
        return theme == "dark"
    # "system": the platform's own palette says whether the desktop is dark (read before Fusion
    # replaces it; cheaper at start-up than QStyleHints.colorScheme(), which builds the Qt enums).
    return _palette_is_dark(app.palette())


def _palette_is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def apply_theme(app: QApplication, theme: str) -> None:
    """``theme`` is Settings.theme: "system", "light" or "dark"."""
    dark = is_dark(theme, app)
    app.setStyle(RagartStyle())
    if dark:
        palette = QPalette()
        for role, colour in _DARK.items():
            palette.setColor(role, QColor(colour))
        for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
            palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6d7178"))
    else:
        palette = app.style().standardPalette()
        palette.setColor(QPalette.ColorRole.Highlight, QColor(ACCENT))
    app.setPalette(palette)
    for widget in app.allWidgets():
        if widget.property(ACCENT_PROPERTY):
            accent(widget, widget.property(ACCENT_PROPERTY))


def accent(widget: QWidget, name: str) -> None:
    """Give ``widget`` one of the theme's accents (it follows later changes of theme):
    "primary" (a push button: the panel's main action), "alert" (a frame or label: an error, a
    near-copy warning) or "tabs" (a tab bar: roomier tabs)."""
    widget.setProperty(ACCENT_PROPERTY, name)
    if name == "alert":
        widget.setObjectName("alert")
    dark = _palette_is_dark(QApplication.palette())
    widget.setStyleSheet(_ACCENTS[name] % {
        "accent": ACCENT,
        "alert_bg": "#4a2a2a" if dark else "#fdecea",
        "alert_border": "#8c3b3b" if dark else "#f5c2bd",
    })


def secondary(label: QLabel) -> QLabel:
    """A secondary line of text (a hint, a status, a count): drawn in the palette's quieter colour."""
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label
