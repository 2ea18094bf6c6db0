"""A small library of poems (six Tang quatrains, four English poems) and a tiny language model."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.library.conftest import make_library, shared_embedders  # noqa: F401

TANG = {
    "jingyesi.txt": "静夜思\n床前明月光，疑是地上霜。\n举头望明月，低头思故乡。\n",
    "dengguanquelou.txt": "登鹳雀楼\n白日依山尽，黄河入海流。\n欲穷千里目，更上一层楼。\n",
    "chunxiao.txt": "春晓\n春眠不觉晓，处处闻啼鸟。\n夜来风雨声，花落知多少。\n",
    "jiangxue.txt": "江雪\n千山鸟飞绝，万径人踪灭。\n孤舟蓑笠翁，独钓寒江雪。\n",
    "fengqiao.txt": "枫桥夜泊\n月落乌啼霜满天，江枫渔火对愁眠。\n姑苏城外寒山寺，夜半钟声到客船。\n",
    "huixiang.txt": "回乡偶书\n少小离家老大回，乡音无改鬓毛衰。\n儿童相见不相识，笑问客从何处来。\n",
}
ENGLISH = {
    "tide.txt": "The tide returns along the shore\nwith salt upon the harbour stones,\n"
                "the gulls above the water soar\nand sing the sea in quiet tones.\n\n"
                "The night is long, the lamps are low,\nthe boats are resting by the quay,\n"
                "and all the winds begin to blow\nacross the cold and silver sea.\n",
    "snow.md": "# Snow\n\nSnow on the roofs, the silence of white mornings,\na quiet light along the river bend,\n"
               "the crows are calling out their winter warnings,\nthe frozen fields that have no end.\n\n"
               "I walk alone beneath the falling snow\nand count the footprints where the children go.\n",
    "rain.txt": "Neon in the puddles, the city hums after rain,\na window full of music and a distant train,\n"
                "we walked beside the river in the evening light,\nthe bridges and the water burning in the night.\n",
    "garden.txt": "The garden sleeps beneath the moon,\nthe roses close, the crickets sing,\n"
                  "the pond is still, the night is soon,\nand every leaf is listening.\n",
}


@pytest.fixture
def poems(tmp_path) -> Path:
    root = tmp_path / "poems"
    for folder, files in (("tang", TANG), ("english", ENGLISH)):
        (root / folder).mkdir(parents=True)
        for name, text in files.items():
            (root / folder / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def lib(make_library, poems):  # noqa: F811
    library = make_library()
    library.import_paths([poems])
    return library
