"""deepgm.data and the exceptions every family shares."""

import numpy as np
import pytest

import deepgm


def test_embedded_digits_split_as_everywhere():
    train_x, train_y = deepgm.data.mnist("embedded")
    test_x, test_y = deepgm.data.mnist("embedded", split="test")
    assert train_x.shape == (1500, 28, 28) and train_x.dtype == np.uint8
    assert test_x.shape == (500, 28, 28) and test_y.dtype == np.uint8
    assert train_y.shape == (1500,)
    # The built-in digits are the start of the MNIST test split: first labels 7 2 1 0 4.
    assert list(train_y[:5]) == [7, 2, 1, 0, 4]
    # The array wraps the buffer the library filled (no copy): NumPy does not own it.
    assert train_x.flags["C_CONTIGUOUS"] and not train_x.flags["OWNDATA"]


def test_bad_split_and_missing_directory(tmp_path):
    with pytest.raises(deepgm.DeepgmValueError, match="split"):
        deepgm.data.mnist("embedded", split="validation")
    assert issubclass(deepgm.DeepgmValueError, ValueError)
    with pytest.raises(FileNotFoundError, match="no MNIST"):
        deepgm.data.mnist(tmp_path)


def test_malformed_file_is_a_format_error_naming_it(tmp_path):
    (tmp_path / "train-images-idx3-ubyte").write_bytes(b"\x00\x00\x08\x03garbage")
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(b"\x00\x00\x08\x01\x00\x00\x00\x01\x07")
    with pytest.raises(deepgm.FormatError) as info:
        deepgm.data.mnist(tmp_path)
    assert info.value.path.endswith("train-images-idx3-ubyte")
    assert isinstance(info.value, ValueError)


def test_version_and_exception_hierarchy():
    assert deepgm.__version__
    assert issubclass(deepgm.FormatError, deepgm.DeepgmValueError)
    assert issubclass(deepgm.InfeasibleError, MemoryError)
