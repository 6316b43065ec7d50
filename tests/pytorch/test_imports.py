"""Import boundaries: glassml.pytorch imports torch but never matplotlib; its figure module is
the other way round."""

from __future__ import annotations

import subprocess
import sys


def loaded_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(proc.stdout.split())


def test_library_does_not_import_matplotlib():
    mods = loaded_after("import glassml.pytorch")
    assert "torch" in mods and "matplotlib" not in mods


def test_figure_module_does_not_import_torch():
    mods = loaded_after("import glassml.plotting.pytorch_figs")
    assert "matplotlib" in mods and "torch" not in mods
