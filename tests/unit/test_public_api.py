import importlib

import mirrorctl


def test_every_exported_name_resolves_to_its_home_module() -> None:
    assert set(mirrorctl.__all__) - {"__version__"} == set(mirrorctl._EXPORTS)
    for name, module in mirrorctl._EXPORTS.items():
        assert getattr(mirrorctl, name) is getattr(importlib.import_module(module), name)
