"""Session-wide guards: no network (the offline promise), Qt headless, deterministic seeds."""
from __future__ import annotations

import os
import random
import socket

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

_ALLOWED_FAMILIES = {getattr(socket, "AF_UNIX", None)}


class NetworkBlocked(RuntimeError):
    pass


def _guard(original):
    def connect(self, address, *args, **kwargs):
        if self.family in _ALLOWED_FAMILIES:   # local IPC (Qt, multiprocessing) is not network
            return original(self, address, *args, **kwargs)
        raise NetworkBlocked(f"test tried to open a network connection to {address!r}")
    return connect


@pytest.fixture(autouse=True, scope="session")
def block_network():
    """Fail any test that opens a network connection (TCP/UDP/IPv6), for the whole session."""
    saved = socket.socket.connect, socket.socket.connect_ex
    socket.socket.connect = _guard(saved[0])
    socket.socket.connect_ex = _guard(saved[1])
    yield
    socket.socket.connect, socket.socket.connect_ex = saved


@pytest.fixture(autouse=True)
def fixed_seeds():
    random.seed(0)
    np.random.seed(0)


@pytest.fixture
def home(tmp_path):
    from ragart_desktop.core.home import Home

    return Home(tmp_path / "home").ensure()
