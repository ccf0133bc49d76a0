"""The README's Python examples run as written, in order, in a fresh directory (like the shell
examples, which the Rust test crates/deepgm/tests/readme.rs runs)."""

import os
import pathlib
import re

import pytest

README = pathlib.Path(__file__).resolve().parents[3] / "README.md"


def python_blocks(text):
    """The bodies of the README's ```python blocks, in order."""
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)


def test_the_parser_finds_python_blocks():
    text = "x\n```python\na = 1\n```\n```sh\nls\n```\n```python\nb = a\n```\n"
    assert python_blocks(text) == ["a = 1\n", "b = a\n"]


@pytest.mark.skipif(not README.is_file(), reason="README.md is not beside the tests")
def test_every_python_example_runs(tmp_path, monkeypatch):
    blocks = python_blocks(README.read_text())
    assert len(blocks) >= 4, "the README's Python section has an example per family"
    monkeypatch.chdir(tmp_path)
    namespace = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
