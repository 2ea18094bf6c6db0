from ragart_desktop.core.generate.image import builtin


def test_every_engine_has_an_honest_name():
    assert builtin.ENGINE_ID == "builtin"
    assert set(builtin.ENGINES) == set(builtin.ENGINE_NAMES)
    assert builtin.ENGINE_NAMES["patch_synthesis"] == "Built-in patch synthesis (PatchMatch)"
    assert builtin.ENGINE_NAMES["palette_transfer"] == "Built-in palette transfer"
    assert builtin.ENGINE_NAMES["exemplar_inpaint"] == "Built-in exemplar inpainting"
    for key, fn in builtin.ENGINES.items():
        assert fn.__name__ == key
