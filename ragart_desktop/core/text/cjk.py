"""Chinese, Japanese and Korean text: which characters are CJK, a word segmenter, one written form.

Han text has no spaces between words, so words come from a dictionary segmenter: jieba's
dictionary and algorithm in Rust (``rjieba``; the dictionary is inside the wheel, nothing is
downloaded). Traditional characters are folded into simplified ones with OpenCC's phrase tables
(``opencc``, C++), so 鐘聲 and 钟声 are one word to search. Kana and Hangul runs are kept whole:
the search index reaches inside every CJK run by its single characters and character pairs anyway
(core/text/words). rjieba and opencc are imported on first use, not at import time.
"""
from __future__ import annotations

import re
import threading
from functools import lru_cache

_HAN = "\u3005\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_KANA = "\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff\uff66-\uff9f"
_HANGUL = "\u1100-\u11ff\u3131-\u318e\uac00-\ud7a3"

CJK_RUN = re.compile(f"[{_HAN}{_KANA}{_HANGUL}]+")
HAN_RUN = re.compile(f"[{_HAN}]+")

_opencc_lock = threading.Lock()


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds any Han, kana or Hangul character."""
    return CJK_RUN.search(text) is not None


def is_cjk(text: str) -> bool:
    """Whether ``text`` is non-empty and made of CJK characters only."""
    return CJK_RUN.fullmatch(text) is not None


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional Han characters and phrases written in their simplified form; other text unchanged."""
    if not HAN_RUN.search(text):
        return text
    converter = _t2s()
    with _opencc_lock:   # one converter object, not documented as thread-safe
        return converter.convert(text)


def segment(run: str) -> list[str]:
    """The words of a CJK run, in order, without overlap: Han parts by the jieba dictionary (no
    guessing of unknown words: those stay single characters), kana and Hangul parts whole."""
    import rjieba

    out: list[str] = []
    pos = 0
    for m in HAN_RUN.finditer(run):
        if m.start() > pos:
            out.append(run[pos:m.start()])
        out.extend(rjieba.cut(m.group(), False))
        pos = m.end()
    if pos < len(run):
        out.append(run[pos:])
    return out


def dictionary_words(text: str) -> list[str]:
    """Every dictionary word of the Han parts of ``text``, the shorter words inside longer ones too
    (jieba's search mode: 夜半钟声 gives 夜半, 钟声 and 夜半钟声). One call for the whole text:
    jieba cuts at every non-Han character itself, and the call overhead is most of the cost."""
    import rjieba

    return [w for w in rjieba.cut_for_search(text, False) if HAN_RUN.fullmatch(w)]
