"""The canvas view: paints the document's composite, turns pointer input into tool actions.

Painting reads the composite buffer through a QImage that shares its memory, and only the exposed
region is drawn; every document change asks for a repaint of just the rectangle it touched, so a
brush segment costs a small recomposite and a small blit, whatever the canvas size.
"""
from __future__ import annotations

import math
from typing import Optional

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QWidget

from ragart_desktop.core.canvas import CanvasDocument, Change, Rect, SelectMode
from ragart_desktop.core.errors import RagartError
from ragart_desktop.ui.canvas.qimage import checker_brush, composite_image, selection_image, solid_colour
from ragart_desktop.ui.canvas.tools import Tool, ToolSettings, stroke_mode


MIN_ZOOM, MAX_ZOOM = 0.02, 32.0
_BACKDROP = QColor(46, 47, 51)
_FIT_MARGIN = 24
_TOOL_CURSOR = Qt.CursorShape.CrossCursor


class CanvasView(QWidget):
    colour_picked = Signal(tuple)     # (r, g, b)
    zoom_changed = Signal(float)
    cursor_moved = Signal(int, int)   # image coordinates under the pointer
    error = Signal(object)            # a RagartError from a tool action

    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setMinimumSize(200, 150)
        self.setCursor(_TOOL_CURSOR)
        self.doc: Optional[CanvasDocument] = None
        self.tool = Tool.BRUSH
        self.settings = ToolSettings()
        self.scale = 1.0
        self.offset = QPointF(0.0, 0.0)  # widget position of the image's top-left corner
        self._image: Optional[QImage] = None
        # The composite's one colour while it has one (a new canvas): painted as a fill, not by scaling
        # the whole composite smoothly (10-20 ms for the 1024 px canvas, in the app's first paints).
        self._solid: Optional[QColor] = None
        self._selection: Optional[QImage] = None
        self._selection_shown = False
        self._selection_stale = True
        self._preview: Optional[QImage] = None
        self._checker = checker_brush(8)
        self._gesture: Optional[str] = None   # "stroke" | "rect" | "lasso" | "pan"
        self._anchor = QPointF()               # where the gesture started (widget coordinates)
        self._lasso: list[QPointF] = []
        self._pointer: Optional[QPointF] = None
        self._space_held = False
        self._auto_fit = True  # keep fitting on resize until the user zooms or pans

    # -- document -----------------------------------------------------------------------------
    def set_document(self, doc: CanvasDocument) -> None:
        if self.doc is not None:
            self.doc.unsubscribe(self._on_change)
        self.doc = doc
        doc.subscribe(self._on_change)
        self._image = composite_image(doc)
        self._solid = solid_colour(doc)
        self._selection = selection_image(doc)
        self._selection_stale = True
        self._preview = None
        self.fit()

    def _on_change(self, change: Change) -> None:
        if change.selection is not None:
            self._selection_stale = True
            self.update(self._widget_rect(change.selection))
        if change.rect is not None:
            self._solid = None
            self.update(self._widget_rect(change.rect))

    def set_preview(self, image: Optional[QImage]) -> None:
        """Show a candidate result over the canvas (None hides it)."""
        self._preview = image
        self.update()

    # -- coordinates and zoom -----------------------------------------------------------------
    def image_pos(self, pos: QPointF) -> tuple[float, float]:
        return ((pos.x() - self.offset.x()) / self.scale, (pos.y() - self.offset.y()) / self.scale)

    def _widget_rect(self, r: Rect) -> QRect:
        s = self.scale
        return QRectF(self.offset.x() + r.x0 * s, self.offset.y() + r.y0 * s,
                      r.width * s, r.height * s).toAlignedRect().adjusted(-2, -2, 2, 2)

    def _canvas_rect(self) -> QRectF:
        if self.doc is None:
            return QRectF()
        return QRectF(self.offset.x(), self.offset.y(), self.doc.width * self.scale, self.doc.height * self.scale)

    def set_zoom(self, scale: float, anchor: Optional[QPointF] = None) -> None:
        """Zoom keeping the image point under ``anchor`` (default: the view centre) in place."""
        scale = max(MIN_ZOOM, min(MAX_ZOOM, scale))
        self._auto_fit = False
        anchor = anchor if anchor is not None else QPointF(self.width() / 2, self.height() / 2)
        ix, iy = self.image_pos(anchor)
        self.scale = scale
        self.offset = QPointF(anchor.x() - ix * scale, anchor.y() - iy * scale)
        self.zoom_changed.emit(scale)
        self.update()

    def zoom_by(self, factor: float, anchor: Optional[QPointF] = None) -> None:
        self.set_zoom(self.scale * factor, anchor)

    def fit(self) -> None:
        """Fit the whole canvas in the view, centred."""
        if self.doc is None:
            return
        avail_w = max(1, self.width() - 2 * _FIT_MARGIN)
        avail_h = max(1, self.height() - 2 * _FIT_MARGIN)
        self.scale = max(MIN_ZOOM, min(MAX_ZOOM, avail_w / self.doc.width, avail_h / self.doc.height))
        self._centre()
        self._auto_fit = True
        self.zoom_changed.emit(self.scale)
        self.update()

    def actual_size(self) -> None:
        """100 %: one image pixel per screen pixel, keeping the view centre."""
        self.set_zoom(1.0)

    def _centre(self) -> None:
        self.offset = QPointF((self.width() - self.doc.width * self.scale) / 2,
                              (self.height() - self.doc.height * self.scale) / 2)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.doc is not None and self._auto_fit:
            self.fit()

    def sizeHint(self) -> QSize:
        return QSize(800, 600)

    # -- painting -----------------------------------------------------------------------------
    def paintEvent(self, event) -> None:
        p = QPainter(self)
        exposed = QRectF(event.rect())
        p.fillRect(exposed, _BACKDROP)
        if self.doc is None or self._image is None:
            p.end()
            return
        self.doc.refresh_composite()
        canvas = self._canvas_rect()
        visible = canvas.intersected(exposed)
        if not visible.isEmpty():
            src, dst = self._source_and_target(visible)
            p.save()
            p.setClipRect(visible)
            p.fillRect(visible, self._checker)
            if self._solid is not None:
                p.fillRect(visible, self._solid)
            else:
                p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, self.scale < 1.0)
                p.drawImage(dst, self._image, src)
            if self._selection_visible():   # under a preview: a fill's result shows as it would land
                p.drawImage(dst, self._selection, src)
            if self._preview is not None:
                p.drawImage(self._preview_target(canvas), self._preview)
            p.restore()
        p.setPen(QPen(QColor(0, 0, 0, 160), 1))
        p.drawRect(canvas.adjusted(-1, -1, 0, 0))
        self._paint_gesture(p)
        p.end()

    def _source_and_target(self, visible: QRectF) -> tuple[QRectF, QRectF]:
        """Integer image rectangle covering ``visible`` and where it lands on the widget."""
        s, ox, oy = self.scale, self.offset.x(), self.offset.y()
        x0 = max(0, math.floor((visible.left() - ox) / s))
        y0 = max(0, math.floor((visible.top() - oy) / s))
        x1 = min(self.doc.width, math.ceil((visible.right() - ox) / s) + 1)
        y1 = min(self.doc.height, math.ceil((visible.bottom() - oy) / s) + 1)
        src = QRectF(x0, y0, x1 - x0, y1 - y0)
        dst = QRectF(ox + x0 * s, oy + y0 * s, (x1 - x0) * s, (y1 - y0) * s)
        return src, dst

    def _preview_target(self, canvas: QRectF) -> QRectF:
        """The preview scaled to fit the canvas and centred, as results land when accepted."""
        pw, ph = self._preview.width(), self._preview.height()
        k = min(canvas.width() / pw, canvas.height() / ph)
        w, h = pw * k, ph * k
        return QRectF(canvas.center().x() - w / 2, canvas.center().y() - h / 2, w, h)

    def _selection_visible(self) -> bool:
        if self._selection_stale:
            self._selection_shown = self.doc.has_selection
            self._selection_stale = False
        return self._selection_shown

    def _paint_gesture(self, p: QPainter) -> None:
        dash = QPen(QColor(255, 255, 255), 1, Qt.PenStyle.DashLine)
        solid = QPen(QColor(0, 0, 0), 1)
        if self._gesture == "rect" and self._pointer is not None:
            box = QRectF(self._anchor, self._pointer).normalized()
            for pen in (solid, dash):
                p.setPen(pen)
                p.drawRect(box)
        elif self._gesture == "lasso" and len(self._lasso) > 1:
            path = QPainterPath(self._lasso[0])
            for pt in self._lasso[1:]:
                path.lineTo(pt)
            for pen in (solid, dash):
                p.setPen(pen)
                p.drawPath(path)
        if self.tool.paints and self._pointer is not None and self._gesture != "pan":
            r = max(1.0, self.settings.size * self.scale / 2)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.setPen(QPen(QColor(0, 0, 0, 200), 1))
            p.drawEllipse(self._pointer, r, r)
            p.setPen(QPen(QColor(255, 255, 255, 200), 1))
            p.drawEllipse(self._pointer, r + 1, r + 1)

    def _cursor_region(self, pos: Optional[QPointF]) -> QRect:
        if pos is None:
            return QRect()
        r = int(self.settings.size * self.scale / 2) + 4
        return QRect(int(pos.x()) - r, int(pos.y()) - r, 2 * r + 1, 2 * r + 1)

    # -- input --------------------------------------------------------------------------------
    def mousePressEvent(self, event) -> None:
        if self.doc is None:
            return
        pos = event.position()
        button = event.button()
        if button == Qt.MouseButton.MiddleButton or (button == Qt.MouseButton.LeftButton and self._space_held):
            self._gesture, self._anchor = "pan", pos
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
            return
        if button != Qt.MouseButton.LeftButton:
            return
        alt = bool(event.modifiers() & Qt.KeyboardModifier.AltModifier)
        self._guarded(self._press, pos, alt)

    def _press(self, pos: QPointF, alt: bool) -> None:
        x, y = self.image_pos(pos)
        if self.tool.paints:
            self.doc.begin_stroke(x, y, self.settings.brush(), stroke_mode(self.tool, alt))
            self._gesture = "stroke"
        elif self.tool is Tool.FILL:
            if self.doc.bounds.contains(x, y):
                s = self.settings
                self.doc.fill(int(x), int(y), s.colour, tolerance=s.tolerance, opacity=s.opacity,
                              sample_all_layers=s.sample_all_layers)
        elif self.tool is Tool.PICKER:
            if self.doc.bounds.contains(x, y):
                r, g, b, _ = self.doc.pick_colour(int(x), int(y))
                self.colour_picked.emit((r, g, b))
        elif self.tool is Tool.RECT_SELECT:
            self._gesture, self._anchor = "rect", pos
        elif self.tool is Tool.LASSO:
            self._gesture, self._lasso = "lasso", [pos]

    def mouseMoveEvent(self, event) -> None:
        pos = event.position()
        old = self._pointer
        self._pointer = pos
        if self.doc is not None:
            x, y = self.image_pos(pos)
            self.cursor_moved.emit(int(math.floor(x)), int(math.floor(y)))
        if self._gesture == "pan":
            self._auto_fit = False
            self.offset += pos - self._anchor
            self._anchor = pos
            self.update()
            return
        if self._gesture == "stroke":
            self._guarded(self.doc.stroke_to, *self.image_pos(pos))
        elif self._gesture == "rect":
            self.update(QRectF(self._anchor, old or pos).normalized().toAlignedRect().adjusted(-2, -2, 2, 2))
            self.update(QRectF(self._anchor, pos).normalized().toAlignedRect().adjusted(-2, -2, 2, 2))
        elif self._gesture == "lasso":
            self._lasso.append(pos)
            self.update(QRectF(old or pos, pos).normalized().toAlignedRect().adjusted(-2, -2, 2, 2))
        if self.tool.paints:
            self.update(self._cursor_region(old))
            self.update(self._cursor_region(pos))

    def mouseReleaseEvent(self, event) -> None:
        gesture, self._gesture = self._gesture, None
        if gesture == "pan":
            self.setCursor(Qt.CursorShape.OpenHandCursor if self._space_held else _TOOL_CURSOR)
        elif gesture == "stroke":
            self._guarded(self.doc.end_stroke)
        elif gesture == "rect":
            self._guarded(self._finish_rect, event.position(), event.modifiers())
        elif gesture == "lasso":
            self._guarded(self._finish_lasso, event.modifiers())

    def _finish_rect(self, pos: QPointF, modifiers) -> None:
        x0, y0 = self.image_pos(self._anchor)
        x1, y1 = self.image_pos(pos)
        rect = Rect(round(min(x0, x1)), round(min(y0, y1)), round(max(x0, x1)), round(max(y0, y1)))
        if rect.width < 1 or rect.height < 1:
            self.doc.clear_selection()  # a click without a drag deselects, as in most editors
        else:
            self.doc.select_rect(rect, _select_mode(modifiers))
        self.update()

    def _finish_lasso(self, modifiers) -> None:
        points = [self.image_pos(pt) for pt in self._lasso]
        self._lasso = []
        if len(points) >= 3:
            self.doc.select_polygon(points, _select_mode(modifiers))
        self.update()

    def wheelEvent(self, event) -> None:
        delta = event.angleDelta()
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_by(1.25 ** (delta.y() / 120.0), event.position())
        else:
            dx, dy = delta.x(), delta.y()
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                dx, dy = dy, dx
            self.offset += QPointF(dx, dy) / 2
            self._auto_fit = False
            self.update()
        event.accept()

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_held = True
            self.setCursor(Qt.CursorShape.OpenHandCursor)
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_held = False
            self.setCursor(_TOOL_CURSOR)
            return
        super().keyReleaseEvent(event)

    def leaveEvent(self, event) -> None:
        self.update(self._cursor_region(self._pointer))
        self._pointer = None
        super().leaveEvent(event)

    def set_tool(self, tool: Tool) -> None:
        self.tool = tool
        self.setCursor(_TOOL_CURSOR)
        self.update()

    def _guarded(self, fn, *args) -> None:
        """Run a tool action; expected failures go to the ``error`` signal, not up the event loop."""
        try:
            fn(*args)
        except RagartError as exc:
            self._gesture = None
            self.error.emit(exc)


def _select_mode(modifiers) -> SelectMode:
    if modifiers & Qt.KeyboardModifier.AltModifier:
        return SelectMode.SUBTRACT
    if modifiers & Qt.KeyboardModifier.ShiftModifier:
        return SelectMode.ADD
    return SelectMode.REPLACE
