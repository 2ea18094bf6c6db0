"""The image pipeline end to end with the built-in engines on a real small library."""
from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from ragart_desktop.core.errors import Cancelled, UsageError
from ragart_desktop.core.generate.image.pipeline import generate
from ragart_desktop.core.generate.image.prompt import fuse_prompt
from ragart_desktop.core.generate.image.provenance import read_record
from ragart_desktop.core.generate.image.references import Reference
from ragart_desktop.core.generate.image.request import GenerationRequest, ReferenceSpec
from ragart_desktop.core.progress import Task
from tests.core.library.conftest import art_folder, make_library, painting, shared_embedders  # noqa: F401


@pytest.fixture
def lib(make_library, art_folder):  # noqa: F811
    library = make_library()
    library.import_paths([art_folder])
    return library


def _sketch(tmp_path, size=(96, 96)):
    img = Image.new("RGB", size, "white")
    a = np.asarray(img).copy()
    a[30:60, 10:80] = (20, 20, 20)
    path = tmp_path / "sketch.png"
    Image.fromarray(a).save(path)
    return path


def test_request_json_round_trip_and_validation():
    req = GenerationRequest(prompt="sea", mode="refine", canvas="/x.png", references=(ReferenceSpec(item_id=3, weight=0.5),))
    assert GenerationRequest.from_json(json.dumps(req.to_json())) == req
    with pytest.raises(UsageError, match="needs a mask"):
        GenerationRequest(mode="fill", canvas="/x.png").validate()
    with pytest.raises(UsageError, match="out of range"):
        GenerationRequest(prompt="x", width=50).validate()


def test_fuse_prompt_dedups_weights_and_respects_limit():
    refs = [Reference(path="a.png", weight=1.0, image=None, terms=["seascapes", "stormy harbour", "sea"]),
            Reference(path="b.png", weight=0.5, image=None, terms=["seascapes", "lighthouse dusk"])]
    fused = fuse_prompt("a sea at night", refs)
    assert fused.text.startswith("a sea at night, seascapes")
    assert [t for t, _ in fused.added][:1] == ["seascapes"] and dict(fused.added)["seascapes"] == 1.5
    assert "sea," not in fused.text.split("night", 1)[1]
    short = fuse_prompt("a sea at night", refs, limit=8)
    assert short.text.count(",") < fused.text.count(",")


@pytest.mark.parametrize("mode", ["txt2img", "refine", "restyle", "fill"])
def test_every_builtin_mode_makes_a_traced_image(lib, tmp_path, mode):
    canvas = _sketch(tmp_path)
    mask = tmp_path / "mask.png"
    m = np.zeros((96, 96), np.uint8)
    m[20:50, 20:50] = 255
    Image.fromarray(m).save(mask)
    req = GenerationRequest(prompt="stormy sea harbour", mode=mode, width=96, height=96, seed=7, count=2,
                            canvas=None if mode == "txt2img" else str(canvas),
                            mask=str(mask) if mode == "fill" else None, n_references=2)
    result = generate(req, lib)
    assert [o.seed for o in result.outputs] == [7, 8]
    assert result.references and all(r.item_id for r in result.references)
    assert "Built-in" in result.engine_name
    paths = result.save(tmp_path / f"{mode}.png")
    record = read_record(paths[0])
    assert record["seed"] == 7 and record["request"]["mode"] == mode
    assert record["references"][0]["id"] == result.references[0].item_id
    assert "reference_similarity" in record["scores"]
    assert Image.open(paths[1]).size == (96, 96)
    if mode == "fill":
        out = np.asarray(result.outputs[0].image)
        src = np.asarray(Image.open(canvas).convert("RGB"))
        assert np.array_equal(out[m == 0], src[m == 0])
    again = generate(req.with_seed(7), lib)
    assert np.array_equal(np.asarray(again.outputs[0].image), np.asarray(result.outputs[0].image))


def test_cancel_mid_run_leaves_no_output(lib, tmp_path):
    task = Task(on_progress=lambda d, t, m: task.cancel() if d > 0 else None)
    req = GenerationRequest(prompt="forest", width=96, height=96, count=3)
    with pytest.raises(Cancelled):
        generate(req, lib, task).save(tmp_path / "out.png")
    assert not list(tmp_path.glob("*.png"))


def test_near_copy_guard_flags_a_copy_of_a_library_image(lib, art_folder, tmp_path):
    original = art_folder / "forest" / "pine-grove.jpg"
    req = GenerationRequest(prompt="pine", mode="restyle", canvas=str(original), strength=0.0,
                            width=160, height=120, references=(ReferenceSpec(path=str(original)),), retrieve=False)
    out = generate(req, lib).outputs[0]
    assert out.evaluation.nearest.item_id == lib.resolve(str(original)).id
    assert out.evaluation.near_copy and out.evaluation.nearest.similarity > 0.9
    assert out.evaluation.warnings and "near-copy" in out.evaluation.warnings[0]
    assert "One reference is not enough" in out.evaluation.warnings[0]
    fresh = generate(GenerationRequest(prompt="stormy harbour", width=96, height=96, seed=3), lib).outputs[0]
    assert not fresh.evaluation.warnings


def test_without_an_image_text_model_prompt_fit_is_not_claimed_only_shared_words(lib, art_folder):
    from ragart_desktop.core.generate.image.evaluate import evaluate
    from ragart_desktop.core.generate.meanings import SCORE_MEANINGS

    harbour = art_folder / "seascapes" / "stormy-harbour.png"
    req = GenerationRequest(prompt="stormy harbour", width=96, height=96, seed=3,
                            references=(ReferenceSpec(path=str(harbour)),), retrieve=False)
    result = generate(req, lib)
    ev = result.outputs[0].evaluation
    # No CLIP: nothing can tell a "stormy harbour" picture from a "pine forest" one, so no prompt fit.
    assert "prompt_fit" not in ev.scores and ev.prompt_fit_method == "reference-words"
    other = evaluate(result.outputs[0].image, "pine forest", result.references, lib)
    assert ev.scores["prompt_words_in_references"] == 1.0 and other.scores["prompt_words_in_references"] == 0.0
    assert "not the picture" in SCORE_MEANINGS["image"]["prompt_words_in_references"].explanation
    assert result.output_json(result.outputs[0])["prompt_fit_method"] == "reference-words"


@pytest.mark.parametrize("mode", ["refine", "restyle", "fill"])
def test_without_a_size_the_output_takes_the_canvas_size_and_fill_keeps_every_other_pixel(lib, tmp_path, mode):
    rng = np.random.default_rng(1)
    photo = rng.integers(0, 255, (90, 140, 3), dtype=np.uint8)   # 140x90: neither 512 nor a multiple of 8
    Image.fromarray(photo).save(tmp_path / "photo.png")
    mask = np.zeros((90, 140), np.uint8)
    mask[30:60, 40:90] = 255
    Image.fromarray(mask).save(tmp_path / "mask.png")
    req = GenerationRequest(prompt="stormy sea", mode=mode, canvas=str(tmp_path / "photo.png"), n_references=2,
                            mask=str(tmp_path / "mask.png") if mode == "fill" else None)
    result = generate(req, lib)
    out = np.asarray(result.outputs[0].image)
    assert out.shape == photo.shape
    assert (result.request.width, result.request.height) == (140, 90)   # the record says what was made
    if mode == "fill":
        assert np.array_equal(out[mask == 0], photo[mask == 0])
        assert not np.array_equal(out[mask > 0], photo[mask > 0])


def test_a_pinned_midi_or_text_item_lends_its_words_to_the_picture(lib, art_folder):
    song = lib.resolve(str(art_folder / "folk" / "hill-reel.mid"))
    poem = lib.resolve(str(art_folder / "poems" / "tide.txt"))
    req = GenerationRequest(prompt="harbour", width=96, height=96, n_references=4,
                            references=(ReferenceSpec(item_id=song.id), ReferenceSpec(item_id=poem.id)))
    result = generate(req, lib)
    words = {r.item_id for r in result.references if r.words_only}
    assert words == {song.id, poem.id} and all(r.image is not None for r in result.references if not r.words_only)
    added = " ".join(t for t, _ in result.fused_prompt.added)
    assert "hill-reel" in added and "the tide returns" in added
    # With nothing but words to paint from, the built-in engines say so instead of failing on the file.
    with pytest.raises(UsageError, match="hill-reel.mid lend only their words"):
        generate(GenerationRequest(prompt="harbour", width=96, height=96, retrieve=False,
                                   references=(ReferenceSpec(item_id=song.id),)), lib)


def _warmth(image: Image.Image) -> float:
    """Mean b* (yellow-blue) of CIE Lab: above 0 warm, below cool."""
    from ragart_desktop.core.generate.image.builtin.imaging import rgb_to_lab

    return float(rgb_to_lab(np.asarray(image.convert("RGB"), np.float32) / 255.0)[..., 2].mean())


def test_restyle_with_one_pinned_warm_reference_comes_out_clearly_warm(lib, tmp_path):
    warm = tmp_path / "sunset-study.png"
    painting(5, palette=(235, 120, 30)).save(warm)          # outside the library; the sea pictures are blue
    painting(7, size=(96, 96)).convert("L").convert("RGB").save(tmp_path / "grey.png")   # a grey study
    req = GenerationRequest(prompt="sea waves", mode="restyle", canvas=str(tmp_path / "grey.png"), strength=1.0,
                            n_references=4, references=(ReferenceSpec(path=str(warm)),))
    pinned = generate(req, lib)
    assert len(pinned.references) == 4 and pinned.references[0].path == str(warm)
    unpinned = generate(GenerationRequest(**{**req.to_json(), "references": ()}), lib)
    # Measured: b* 20.7 pinned, -15.3 without the pin, 35.7 in the warm reference itself (8.0 pinned when
    # the three retrieved pictures weighed as much as the pin).
    assert _warmth(pinned.outputs[0].image) > _warmth(unpinned.outputs[0].image) + 28
    assert _warmth(pinned.outputs[0].image) > 0.5 * _warmth(Image.open(warm))


def test_text_to_image_from_one_reference_is_a_new_mix_not_a_near_copy_of_it(lib, tmp_path):
    from ragart_desktop.core.demo.paintings import PAINTINGS, render_painting

    mesa = tmp_path / "desert-mesa-sunset.png"
    render_painting(next(p for p in PAINTINGS if p.name == "desert-mesa-sunset")).save(mesa)
    for seed in (0, 1):
        req = GenerationRequest(prompt="desert", width=192, height=192, seed=seed, retrieve=False,
                                references=(ReferenceSpec(path=str(mesa)),))
        ev = generate(req, lib).outputs[0].evaluation
        assert ev.nearest.path == str(mesa) and not ev.near_copy, ev.nearest
