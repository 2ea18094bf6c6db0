"""The drag-and-drop format of library items (the browser's grid drags them; the canvas, the
search box, the pinned references and the window read them). Kept light: the window imports it
before its first paint."""
ITEM_MIME = "application/x-ragart-item"   # JSON: a list of {"id", "path", "kind", "title"}
