"""``sco_research.render`` is a compatibility module: the old public names still work."""

from sco_research import render, reports


def test_the_old_public_names_are_re_exported():
    for name in render.__all__:
        assert hasattr(render, name), name
    assert render.render is reports.render and render.load_config is reports.load_config
    assert render.register_engine() == render.ENGINE_NAME == "sco-research"
    assert render._register_engine is render.register_engine  # tests/conftest.py's first name
