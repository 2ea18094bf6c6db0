"""The words model in a child process: same vectors, errors that keep their type, restart, close."""
from __future__ import annotations

import sys
import threading
import time

import numpy as np
import pytest

from ragart_desktop.core.embed.process import ProcessEmbedder
from ragart_desktop.core.embed.text_minilm import MiniLMTextEmbedder
from ragart_desktop.core.errors import Cancelled, UsageError
from ragart_desktop.core.home import Home
from ragart_desktop.core.settings import Settings

TEXTS = ["stormy harbour at dusk", "a quiet pine forest", "雨の港"]


@pytest.fixture
def remote(tmp_path):
    embedder = ProcessEmbedder(MiniLMTextEmbedder(), Home(tmp_path / "home").ensure(), Settings())
    yield embedder
    embedder.close()


def test_the_child_gives_the_vectors_of_the_embedder_in_process_and_this_process_loads_no_model(remote):
    assert (remote.id, remote.dim, remote.modality) == ("minilm-l6-v2", 384, "text")
    here = "transformers" in sys.modules
    vectors = remote.embed(TEXTS)
    assert ("transformers" in sys.modules) == here            # loaded in the child, not here
    np.testing.assert_allclose(vectors, MiniLMTextEmbedder().embed(TEXTS), atol=1e-6)


def test_errors_keep_their_kind_a_dead_child_is_restarted_and_close_cancels(remote):
    remote.start()
    first = remote._child.process
    first.kill()
    first.join()
    with pytest.raises(UsageError, match="str inputs"):     # answered by a fresh child
        remote.embed([3])
    assert remote._child.process is not first and remote._child.process.is_alive()
    remote.close()
    with pytest.raises(Cancelled):
        remote.embed(["after close"])


def test_close_releases_a_caller_waiting_on_the_child_and_the_next_caller_gets_its_own_answer(tmp_path):
    home = Home(tmp_path / "home").ensure()
    slow, fast = (ProcessEmbedder(MiniLMTextEmbedder(), home, Settings()) for _ in range(2))
    assert slow._child is fast._child                          # one child per model
    with slow._child.lock:
        slow._child._stop()                                    # a fresh child: busy loading for seconds
    answers = []
    waiting = threading.Thread(target=lambda: answers.append(_cancelled(slow, TEXTS)))
    waiting.start()
    time.sleep(0.2)
    slow.close()
    waiting.join(2)
    assert not waiting.is_alive() and answers == [True]
    np.testing.assert_allclose(fast.embed(TEXTS[:1]), MiniLMTextEmbedder().embed(TEXTS[:1]), atol=1e-6)


def _cancelled(embedder, texts) -> bool:
    try:
        embedder.embed(texts)
    except Cancelled:
        return True
    return False
