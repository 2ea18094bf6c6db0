"""Forms and the copy guard on their own: counters, rhymes, normalisation, thresholds (no library)."""
from __future__ import annotations

import pytest

from ragart_desktop.core.errors import UsageError
from ragart_desktop.core.generate.text.copyguard import Source, longest_copy, normalise
from ragart_desktop.core.generate.text.forms import FORMS, check_form, form_for
from ragart_desktop.core.generate.text.passages import split_passages
from ragart_desktop.core.generate.text.request import TextRequest
from ragart_desktop.core.generate.text.suffix_automaton import SuffixAutomaton
from tests.core.generate.text.conftest import TANG


def test_a_tang_quatrain_keeps_its_form_and_a_broken_one_is_named_line_by_line():
    poem = "床前明月光，\n疑是地上霜。\n举头望明月，\n低头思故乡。"
    assert check_form(poem, FORMS["wujue"], "zh", 4).ok
    broken = check_form("床前明月光，\n疑是地上霜。\n举头望明月，\n低头思故人。", FORMS["wujue"], "zh", 4)
    assert not broken.ok and broken.problems() == ["lines 2 and 4 do not rhyme"]
    short = check_form("床前明月，\n疑是地上霜。\n举头望明月，\n低头思故乡。", FORMS["wujue"], "zh", 4)
    assert short.problems() == ["line 1 has 4 characters, not 5"]


def test_english_forms_count_syllables_and_rhyme_abab():
    haiku = "An old silent pond\nA frog jumps into the pond\nSplash silence again"
    assert check_form(haiku, FORMS["haiku"], "en", 3).lengths == [5, 7, 5]
    quatrain = ("The garden sleeps beneath the moon\nthe roses close the crickets sing\n"
                "the pond is still the night is soon\nand every bird is on the wing")
    report = check_form(quatrain, FORMS["quatrain"], "en", 4)
    assert report.ok and [ok for *_, ok in report.rhyme_pairs] == [True, True]
    # The same word twice is not a rhyme.
    assert not check_form(quatrain.replace("soon", "moon"), FORMS["quatrain"], "en", 4).ok


@pytest.mark.parametrize("form,language,message", [
    ("sonnet", "en", "unknown form 'sonnet'"),
    ("wujue", "en", "written in Chinese, not English"),
    ("haiku", "zh", "written in English, not Chinese"),
])
def test_an_unknown_form_or_one_the_language_cannot_take_is_a_usage_error(form, language, message):
    with pytest.raises(UsageError, match=message):
        form_for(form, language)


def test_requests_check_line_counts_and_read_the_language_from_the_prompt():
    assert TextRequest(prompt="明月").resolved_language == "zh"
    assert TextRequest(prompt="the moon").resolved_language == "en"
    with pytest.raises(UsageError, match="exactly 4 lines"):
        TextRequest(prompt="明月", form="qijue", lines=8).validate()
    with pytest.raises(UsageError, match="stanzas of 4"):
        TextRequest(prompt="moon", form="quatrain", lines=6).validate()
    assert TextRequest(prompt="moon", form="quatrain", lines=8).line_count == 8
    req = TextRequest(prompt="雪", form="wujue", seed=3, count=2)
    assert TextRequest.from_json(req.to_json()) == req


def test_passages_are_cut_at_stanzas_and_long_paragraphs_at_lines_and_sentences():
    text = "---\ntags: [sea]\n---\n# Title\n\nOne\ntwo\n\nthree\n" + "\n".join(f"l{i}" for i in range(10))
    chunks = split_passages(text)
    assert chunks[0] == (6, "One\ntwo")
    assert chunks[1][0] == 9 and chunks[1][1].count("\n") == 7        # 8 lines at most
    prose = " ".join(f"Sentence number {i} is here." for i in range(60))
    assert all(len(t) <= 600 for _, t in split_passages(prose))


def test_suffix_automaton_finds_the_longest_common_substring():
    automaton = SuffixAutomaton("xabcdyabcdez")
    length, end, end_other = automaton.longest_common("qqbcdezz")
    assert (length, "xabcdyabcdez"[end - length:end], "qqbcdezz"[end_other - length:end_other]) == (5, "bcdez", "bcdez")
    assert automaton.longest_common("qq") == (0, 0, 0)


def test_normal_form_folds_case_collapses_spaces_and_drops_punctuation_between_han():
    assert normalise("  Snow  ON\nthe Roofs ") == "snow on the roofs"
    assert normalise("床前明月光，\n疑是地上霜。") == "床前明月光疑是地上霜。"


def test_the_copy_guard_flags_a_verbatim_line_with_its_source_and_not_a_shared_phrase():
    sources = [Source(text, i, name) for i, (name, text) in enumerate(TANG.items())]
    copied = longest_copy("秋风吹落叶，\n床前明月光。", sources)
    assert copied.flagged and copied.longest == 5 and copied.source_path == "jingyesi.txt"
    assert copied.span == "床前明月光"
    # Punctuation and line breaks between Han characters do not hide a copy across them.
    across = longest_copy("明月光，\n疑是地", sources)
    assert across.longest == 6 and across.span == "明月光疑是地" and across.flagged
    assert not longest_copy("秋风明月夜，\n孤灯照客心。", sources).flagged
    english = [Source("The tide returns along the shore\nwith salt upon the harbour stones,", 7, "tide.txt")]
    line = longest_copy("A quiet morning\nwith salt upon the harbour stones", english)
    assert line.flagged and line.whole_line and line.source_id == 7
    assert not longest_copy("The tide is high and the shore is near", english).flagged
    # A whole line shorter than the 30-character threshold is still a copy (punctuation aside).
    short = [Source("The tide returns\nGulls, over grey water.\nsalt on the stones", 8, "gulls.txt")]
    whole = longest_copy("At dawn\ngulls over grey water\nand more", short)
    assert whole.longest < 30 and whole.whole_line and whole.flagged
    assert not longest_copy("At dawn\ngulls over grey\nand more", short).flagged
