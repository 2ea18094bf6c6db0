"""Words of a text in any script: Latin as before, CJK runs segmented, index and query forms agree."""
from __future__ import annotations

import re

from ragart_desktop.core.text.cjk import has_cjk, is_cjk, to_simplified
from ragart_desktop.core.text.words import index_text, latin_words, query_words, words


def index_terms(text: str) -> set[str]:
    return set(index_text(text).lower().split())


def test_latin_text_splits_exactly_as_before():
    text = "Stormy Harbour, my_file-02.PNG — café au lait"
    assert words(text) == [t.lower() for t in re.findall(r"\w+", text)]
    assert index_text(text) == text     # the FTS index sees Latin text unchanged


def test_cjk_detection():
    assert has_cjk("a 雪 b") and has_cjk("ひらがな") and has_cjk("한국어") and not has_cjk("café")
    assert is_cjk("钟声") and not is_cjk("钟声 bell") and not is_cjk("")


def test_chinese_is_cut_into_dictionary_words_and_mixed_text_keeps_both():
    assert words("故乡的雪") == ["故乡", "的", "雪"]
    assert words("夜半钟声到客船 Maple Bridge") == ["夜半钟声", "到", "客船", "maple", "bridge"]
    assert latin_words("boats渔船 returning, 港口") == {"boats", "returning"}


def test_index_holds_every_character_every_pair_and_longer_dictionary_words():
    terms = index_terms("夜半钟声到客船")
    assert {"夜", "声", "船"} <= terms                   # one-character queries
    assert {"夜半", "钟声", "客船", "声到"} <= terms         # two-character queries, dictionary or not
    assert "夜半钟声" in terms                            # a longer dictionary word, whole


def test_traditional_and_simplified_forms_meet_in_the_index():
    assert to_simplified("鐘聲 故鄉") == "钟声 故乡"
    assert index_terms("夜半鐘聲") == index_terms("夜半钟声")
    [bell] = query_words("鐘聲")
    assert bell.shown == "鐘聲" and bell.text == "钟声" and bell.terms == ("钟声",)


def test_query_words_of_one_two_and_more_characters():
    [snow] = query_words("雪")
    assert snow.terms == ("雪",)
    [home] = query_words("故乡")
    assert home.terms == ("故乡",)
    phrase, *parts = query_words("故乡的雪")
    assert phrase.text == "故乡的雪" and phrase.terms == ("故乡", "乡的", "的雪")
    assert [p.text for p in parts] == ["故乡", "的", "雪"]
    assert set(phrase.terms) <= index_terms("我想念故乡的雪") and not set(phrase.terms) <= index_terms("故乡在远方，雪落")
    assert [w.text for w in query_words("bell 钟声")] == ["bell", "钟声"]
