"""Logging to a rotating file in the home folder, the file a user attaches to a bug report."""
from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

LOG_FILE_NAME = "ragart.log"


def setup_logging(logs_dir: Path, level: int = logging.INFO) -> Path:
    """Attach one rotating file handler to the root logger (idempotent); return the log path."""
    logs_dir.mkdir(parents=True, exist_ok=True)
    path = logs_dir / LOG_FILE_NAME
    root = logging.getLogger()
    for h in root.handlers:
        if isinstance(h, logging.handlers.RotatingFileHandler) and Path(h.baseFilename) == path:
            return path
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"))
    root.addHandler(handler)
    root.setLevel(min(root.level or level, level))
    return path
