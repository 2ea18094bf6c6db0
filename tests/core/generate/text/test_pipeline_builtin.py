"""The text pipeline with the built-in recombination engine over a library of poems."""
from __future__ import annotations

import json

import pytest

from ragart_desktop.core.errors import Cancelled, UsageError
from ragart_desktop.core.generate.references import ReferenceSpec
from ragart_desktop.core.generate.text.forms import poem_lines
from ragart_desktop.core.generate.text.pipeline import generate
from ragart_desktop.core.generate.text.provenance import read_text_file, sidecar_path
from ragart_desktop.core.generate.text.request import TextRequest
from ragart_desktop.core.history import HistoryStore
from ragart_desktop.core.progress import Task
from tests.core.generate.text.counters import english_rhyme, han_count, han_rhyme, syllable_count

SEEDS = 4


def _texts(lib, **kw) -> list[str]:
    return [o.text for o in generate(TextRequest(count=SEEDS, **kw), lib).outputs]


@pytest.mark.parametrize("form,size", [("wujue", 5), ("qijue", 7)])
def test_jueju_have_four_lines_of_five_or_seven_han_and_lines_two_and_four_rhyme(lib, form, size):
    for text in _texts(lib, prompt="明月 故乡 夜", form=form):
        lines = poem_lines(text)
        assert [han_count(line) for line in lines] == [size] * 4, text
        assert han_rhyme(lines[1], lines[3]), text


def test_haiku_count_five_seven_five_syllables(lib):
    for text in _texts(lib, prompt="snow and the quiet river", form="haiku"):
        assert [syllable_count(line) for line in poem_lines(text)] == [5, 7, 5], text


def test_quatrains_rhyme_abab(lib):
    for text in _texts(lib, prompt="the sea at night", form="quatrain", lines=8):
        lines = poem_lines(text)
        assert len(lines) == 8 and "\n\n" in text, text             # two stanzas
        for stanza in (lines[:4], lines[4:]):
            assert english_rhyme(stanza[0], stanza[2]) and english_rhyme(stanza[1], stanza[3]), text


def test_results_are_recombinations_with_passages_sources_scores_and_no_copy(lib, poems):
    result = generate(TextRequest(prompt="the garden under the moon", form="free", lines=6, count=3), lib)
    assert "recombination" in result.engine_name.lower()
    assert result.passages and all(p.item_id is not None and p.path.startswith(str(poems)) for p in result.passages)
    assert all("/english/" in p.path for p in result.passages)          # passages in the request's language
    for out in result.outputs:
        assert len(poem_lines(out.text)) == 6
        assert 0.0 < out.evaluation.scores["theme"] <= 1.0 and out.evaluation.scores["form"] == 1.0
        assert not out.evaluation.copy.flagged and out.evaluation.warnings == []
    data = result.output_json(result.outputs[0])
    assert set(data) >= {"path", "seed", "text", "scores", "references", "copy", "warnings"}
    assert set(data["copy"]) == {"longest", "source_id", "source_path"}


def test_the_same_seed_gives_the_same_text_and_other_seeds_differ(lib):
    req = TextRequest(prompt="夜 钟声", form="qijue", seed=5, count=3)
    first = [o.text for o in generate(req, lib).outputs]
    again = [o.text for o in generate(req, lib).outputs]
    assert first == again and len(set(first)) == 3


def test_pinned_notes_alone_with_retrieval_off(lib, tmp_path):
    note = tmp_path / "mine.txt"
    note.write_text("Lanterns drift along the canal\nthe bells of evening slowly fall\n"
                    "and paper boats along the wall\nthe lanterns drift, the bells recall\n")
    result = generate(TextRequest(prompt="lanterns", references=(ReferenceSpec(path=str(note)),),
                                  retrieve=False, lines=3), lib)
    assert {p.path for p in result.passages} == {str(note)}
    assert [r.source for r in result.references] == ["pinned"]


def test_an_empty_library_with_retrieval_on_is_a_usage_error(make_library):
    with pytest.raises(UsageError, match="no text items"):
        generate(TextRequest(prompt="the sea"), make_library())


def test_a_form_the_language_cannot_take_is_refused_before_any_work(lib):
    with pytest.raises(UsageError, match="written in Chinese"):
        generate(TextRequest(prompt="the sea", form="wujue"), lib)
    assert generate(TextRequest(prompt="the sea", form="wujue", language="zh"), lib).language == "zh"


def test_lines_stream_to_the_preview_and_cancel_stops_between_lines(lib):
    previews: list[str] = []
    generate(TextRequest(prompt="rain", lines=5), lib, Task(on_preview=previews.append))
    assert [len(poem_lines(p)) for p in previews] == [1, 2, 3, 4, 5]
    task = Task()
    task._on_preview = lambda text: task.cancel()
    with pytest.raises(Cancelled):
        generate(TextRequest(prompt="rain", lines=5), lib, task)


def test_exports_carry_provenance_in_front_matter_or_a_sidecar_and_history(lib, tmp_path, home):
    result = generate(TextRequest(prompt="月 霜", form="wujue", count=2), lib)
    md, txt = result.save(tmp_path / "out" / "poem.md")
    text, record = read_text_file(md)
    assert text == result.outputs[0].text and md.read_text(encoding="utf-8").startswith("---\ntitle:")
    assert record["request"]["form"] == "wujue" and record["seed"] == 0 and record["engine"] == "builtin"
    assert record["passages"] and {"id", "path", "line", "weight", "text"} <= set(record["passages"][0])
    assert record["copy"]["longest"] == result.outputs[0].evaluation.copy.longest
    single = generate(TextRequest(prompt="月 霜", form="wujue"), lib)
    path = single.save(tmp_path / "poem.txt")[0]
    assert path.read_text(encoding="utf-8").strip() == single.outputs[0].text
    assert json.loads(sidecar_path(path).read_text(encoding="utf-8"))["kind"] == "text"
    assert read_text_file(path)[1]["seed"] == 0
    store = HistoryStore.in_home(home.root)
    store.append(single.history_record())
    entry = store.load()[0]
    assert entry.kind == "text" and entry.outputs[0]["text"] == single.outputs[0].text
    assert TextRequest.from_json(entry.request) == single.request
