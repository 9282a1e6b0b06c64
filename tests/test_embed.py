import subprocess
import sys

import numpy as np
import pytest

from newsfuse.embed import get_embedder
from newsfuse.model import NewsfuseError

PAIRS = [
    ("The minister ordered an independent inquiry into the barrier failure.",
     "An independent investigation into why the barrier failed was ordered by the minister."),
    ("Sea water flooded forty homes in the harbour district on Tuesday.",
     "On Tuesday about 40 houses near the harbour were flooded by the sea."),
]
UNRELATED = "The central bank left interest rates unchanged for the third month."


@pytest.mark.parametrize("name", ["static", "tfidf", "onnx"])
def test_rows_are_unit_length_and_paraphrases_are_closest(name):
    if name == "onnx":
        pytest.importorskip("onnxruntime")  # optional extra: newsfuse[onnx]
    texts = [t for pair in PAIRS for t in pair] + [UNRELATED]
    vectors = get_embedder(name).encode(texts)
    assert vectors.shape[0] == len(texts)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, -1)
    assert similarity[0].argmax() == 1 and similarity[2].argmax() == 3


def test_embedder_is_loaded_once():
    assert get_embedder("static") is get_embedder("static")


def test_unknown_embedder_is_a_user_error():
    with pytest.raises(NewsfuseError, match="unknown embedder 'bert'"):
        get_embedder("bert")


def test_importing_the_cli_loads_no_model():
    code = "import sys, newsfuse.cli; print(any(m.startswith(('model2vec', 'trafilatura', 'sklearn')) for m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
