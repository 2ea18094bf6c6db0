"""The editor's tools and their settings (plain data shared by the view and the options bar)."""
from __future__ import annotations

import enum
from dataclasses import dataclass

from ragart_desktop.core.canvas import Brush, StrokeMode


class Tool(enum.Enum):
    BRUSH = "Brush"
    ERASER = "Eraser"
    FILL = "Fill"
    PICKER = "Picker"
    RECT_SELECT = "Rectangle select"
    LASSO = "Lasso"
    MASK_BRUSH = "Mask brush"

    @property
    def shortcut(self) -> str:
        return {Tool.BRUSH: "B", Tool.ERASER: "E", Tool.FILL: "G", Tool.PICKER: "I",
                Tool.RECT_SELECT: "M", Tool.LASSO: "L", Tool.MASK_BRUSH: "Q"}[self]

    @property
    def hint(self) -> str:
        return {
            Tool.BRUSH: "Paint with a round soft brush",
            Tool.ERASER: "Erase to transparency on the active layer",
            Tool.FILL: "Fill similar connected colour (inside the selection, if any)",
            Tool.PICKER: "Pick a colour from the image",
            Tool.RECT_SELECT: "Select a rectangle (Shift adds, Alt subtracts)",
            Tool.LASSO: "Select a free-hand shape (Shift adds, Alt subtracts)",
            Tool.MASK_BRUSH: "Paint the selection / inpaint mask (Alt erases it)",
        }[self]

    @property
    def paints(self) -> bool:
        return self in (Tool.BRUSH, Tool.ERASER, Tool.MASK_BRUSH)


@dataclass
class ToolSettings:
    size: float = 24.0
    opacity: float = 1.0
    hardness: float = 0.7
    colour: tuple[int, int, int] = (20, 20, 20)
    tolerance: int = 32
    sample_all_layers: bool = True

    def brush(self) -> Brush:
        return Brush(size=self.size, hardness=self.hardness, opacity=self.opacity, colour=self.colour)


def stroke_mode(tool: Tool, alternate: bool) -> StrokeMode:
    """The stroke a painting tool makes; ``alternate`` (Alt held) turns the mask brush into its eraser."""
    if tool is Tool.ERASER:
        return StrokeMode.ERASE
    if tool is Tool.MASK_BRUSH:
        return StrokeMode.MASK_REMOVE if alternate else StrokeMode.MASK_ADD
    return StrokeMode.PAINT
