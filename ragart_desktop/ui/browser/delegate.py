"""Paints one grid cell: thumbnail (or a kind placeholder), title, near-duplicate and pin badges."""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QLinearGradient, QPainter, QPainterPath, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ragart_desktop.ui.browser.model import GroupSizeRole, KindRole, PinnedRole, SnippetRole

TITLE_HEIGHT = 22
PADDING = 6

IMAGE_LOADING = ("#3b4a5e", "#27303d")
MUSIC_CARD = ("#5d4270", "#2f2338")
PAPER, INK = QColor("#efe9dc"), QColor("#3a352c")


class ThumbnailDelegate(QStyledItemDelegate):
    def __init__(self, thumb_size: int = 140, parent=None):
        super().__init__(parent)
        self.thumb_size = thumb_size

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        return QSize(self.thumb_size + 2 * PADDING, self.thumb_size + TITLE_HEIGHT + 2 * PADDING)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = option.palette
        cell = QRectF(option.rect).adjusted(2, 2, -2, -2)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        if selected or hovered:
            colour = palette.color(QPalette.ColorRole.Highlight)
            colour.setAlpha(110 if selected else 40)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawRoundedRect(cell, 6, 6)

        thumb = QRectF(option.rect.x() + PADDING, option.rect.y() + PADDING, self.thumb_size, self.thumb_size)
        kind = index.data(KindRole) or "image"
        pixmap = index.data(Qt.ItemDataRole.DecorationRole)
        if isinstance(pixmap, QPixmap) and not pixmap.isNull():
            self._paint_pixmap(painter, thumb, pixmap)
        elif kind == "text":
            self._paint_text_card(painter, thumb, index.data(SnippetRole) or "")
        elif kind == "music":
            self._paint_music_card(painter, thumb, index.data(SnippetRole) or "")
        else:
            self._paint_gradient(painter, thumb, *IMAGE_LOADING)

        if index.data(PinnedRole):
            self._badge(painter, QPointF(thumb.left() + 4, thumb.top() + 4), "\u2605 pinned", QColor("#c0392b"))
        group = index.data(GroupSizeRole) or 1
        if group > 1:
            self._badge(painter, QPointF(thumb.right() - 4, thumb.top() + 4), f"\u2248 +{group - 1}",
                        QColor("#2d6cdf"), right_aligned=True)

        title_rect = QRect(int(thumb.left()), int(thumb.bottom()) + 2, self.thumb_size, TITLE_HEIGHT)
        title = index.data(Qt.ItemDataRole.DisplayRole) or ""
        painter.setPen(palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text))
        elided = painter.fontMetrics().elidedText(title, Qt.TextElideMode.ElideMiddle, self.thumb_size)
        painter.drawText(title_rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter, elided)
        painter.restore()

    @staticmethod
    def _paint_pixmap(painter: QPainter, area: QRectF, pixmap: QPixmap) -> None:
        size = pixmap.size().scaled(area.size().toSize(), Qt.AspectRatioMode.KeepAspectRatio)
        target = QRectF(0, 0, size.width(), size.height())
        target.moveCenter(area.center())
        path = QPainterPath()
        path.addRoundedRect(target, 4, 4)
        painter.setClipPath(path)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawPixmap(target, pixmap, QRectF(pixmap.rect()))
        painter.setClipping(False)

    @staticmethod
    def _paint_gradient(painter: QPainter, area: QRectF, top: str, bottom: str) -> None:
        gradient = QLinearGradient(area.topLeft(), area.bottomRight())
        gradient.setColorAt(0, QColor(top))
        gradient.setColorAt(1, QColor(bottom))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(gradient)
        painter.drawRoundedRect(area, 6, 6)

    @staticmethod
    def _paint_label(painter: QPainter, area: QRectF, text: str, colour: QColor) -> None:
        font = QFont(painter.font())
        font.setPixelSize(max(8, int(area.height() * 0.075)))
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(colour)
        painter.drawText(area.adjusted(8, 0, -8, -5), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, text)

    def _paint_text_card(self, painter: QPainter, area: QRectF, snippet: str) -> None:
        """A note: a sheet of paper with its opening words."""
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(PAPER)
        painter.drawRoundedRect(area, 6, 6)
        font = QFont(painter.font())
        font.setPixelSize(max(8, int(area.height() * 0.08)))
        painter.setFont(font)
        painter.setPen(INK)
        body = area.adjusted(8, 8, -8, -area.height() * 0.16)
        painter.save()
        painter.setClipRect(body)
        painter.drawText(body, Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                         snippet)
        painter.restore()
        fade = QLinearGradient(QPointF(0, body.bottom() - body.height() * 0.3), QPointF(0, body.bottom()))
        transparent = QColor(PAPER)
        transparent.setAlpha(0)
        fade.setColorAt(0, transparent)
        fade.setColorAt(1, PAPER)
        painter.fillRect(QRectF(body.left(), body.bottom() - body.height() * 0.3, body.width(), body.height() * 0.3),
                         fade)
        self._paint_label(painter, area, "TEXT", QColor(58, 53, 44, 150))

    def _paint_music_card(self, painter: QPainter, area: QRectF, facts: str) -> None:
        """A MIDI piece: its key, tempo, metre and length."""
        self._paint_gradient(painter, area, *MUSIC_CARD)
        font = QFont(painter.font())
        font.setPixelSize(int(area.height() * 0.3))
        painter.setFont(font)
        painter.setPen(QColor(255, 255, 255, 210))
        painter.drawText(area.adjusted(0, area.height() * 0.06, 0, 0),
                         Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, "\u266b")
        font.setPixelSize(max(8, int(area.height() * 0.085)))
        painter.setFont(font)
        painter.setPen(QColor(255, 255, 255, 200))
        painter.drawText(area.adjusted(6, area.height() * 0.45, -6, -area.height() * 0.14),
                         Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap, facts)
        self._paint_label(painter, area, "MIDI", QColor(255, 255, 255, 140))

    @staticmethod
    def _badge(painter: QPainter, at: QPointF, text: str, colour: QColor, right_aligned: bool = False) -> None:
        font = QFont(painter.font())
        font.setPixelSize(11)
        font.setBold(True)
        painter.setFont(font)
        metrics = painter.fontMetrics()
        width = metrics.horizontalAdvance(text) + 12
        rect = QRectF(at.x() - width if right_aligned else at.x(), at.y(), width, metrics.height() + 4)
        painter.setPen(Qt.PenStyle.NoPen)
        colour.setAlpha(225)
        painter.setBrush(colour)
        painter.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
        painter.setPen(QPen(QColor("white")))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
