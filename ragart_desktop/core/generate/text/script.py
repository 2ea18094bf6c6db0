"""Which script a text is written in, for the forms: Han characters (Chinese) or words (English).

Chinese verse counts Han characters; English verse counts syllables of words. The language of a
request comes from its prompt (any Han character: Chinese) unless the user says otherwise.
"""
from __future__ import annotations

import re

LANGUAGES = ("en", "zh")
HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
HAN_CHAR = re.compile(f"[{HAN}]")
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)   # letters, with inner apostrophes


def has_han(text: str) -> bool:
    return HAN_CHAR.search(text) is not None


def han_chars(text: str) -> list[str]:
    """The Han characters of ``text`` in order (punctuation, spaces and Latin left out)."""
    return HAN_CHAR.findall(text)


def english_words(text: str) -> list[str]:
    """The words of an English line in order, lower-cased ("don't" stays one word)."""
    return [w.lower().replace("’", "'") for w in WORD.findall(text) if not has_han(w)]


def detect_language(text: str) -> str:
    """``zh`` when the text holds Han characters, else ``en``."""
    return "zh" if has_han(text) else "en"
