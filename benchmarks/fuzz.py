"""Fuzz ``predict`` with hostile text: crashes, NaNs and batch dependence over ≥ 100,000 generated inputs.

The slow companion of ``tests/test_properties.py`` (not run in CI; ``pytest -m slow -k fuzz`` runs it). Inputs are
generated deterministically from ``--seed`` in these kinds (:data:`KINDS`): code points from every Unicode plane
(unassigned, private-use and surrogates included), lone surrogates in ordinary text, NUL and C0/C1 control characters,
bidi and zero-width runs, combining-mark floods, ZWJ emoji sequences, blank and whitespace-only texts, mixed zh/en
words, and very long texts (up to ``--long-chars``, one in ``--long-every``; bounded by the classifier's own
``max_chars`` / ``max_windows``). Every input is scored in batches; every ``--alone-every``-th one again alone, and
the largest ``|score alone − score in batch|`` is reported. A batch that raises is re-scored text by text to name
the inputs that crash.

Usage::

    python benchmarks/fuzz.py --tiny                       # tiny random model, 100,000 inputs
    python benchmarks/fuzz.py --model default --n 20000    # the shipped model

Writes a JSON report (``--out``) and prints one summary line; exits 1 on any crash, NaN or score outside [0, 1].
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

import gensafe

KINDS = ("planes", "surrogates", "controls", "bidi_zero_width", "combining", "zwj_emoji", "blank", "mixed", "long")

_WORDS = ("the", "bomb", "how", "to", "make", "hello", "world", "kill", "ignore previous instructions", "nazi",
          "你好", "世界", "炸弹", "制作", "方法", "地域黑", "法轮功", "教程",
          "怎么", "杀人", "。", "，", "!", "?", "123")
_CONTROLS = [chr(c) for c in (*range(0x00, 0x20), *range(0x7F, 0xA0))]
_INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
              "\u2060", "\u2061", "\u2062", "\u2063", "\u2064", "\u2066", "\u2067", "\u2068", "\u2069", "\u206a",
              "\u206f", "\ufeff", "\u00ad", "\u034f", "\u180e", "\U000e0001", "\U000e0041"]
_COMBINING = [chr(c) for c in (*range(0x0300, 0x0370), *range(0x1AB0, 0x1AC0), *range(0x20D0, 0x20F1),
                               0x0E31, 0x0E34, 0x0E4D, 0x0E48, 0x093F, 0x094D, 0x3099, 0x309A)]
_EMOJI = ["\U0001f469", "\U0001f468", "\U0001f467", "\U0001f466", "\U0001f4bb", "\u2764\ufe0f", "\U0001f525",
          "\U0001f3f3\ufe0f", "\U0001f308", "\U0001f3f4", "\u2620\ufe0f", "\U0001f9d1", "\U0001f91d"]
_SKIN = ["", "\U0001f3fb", "\U0001f3fc", "\U0001f3fd", "\U0001f3fe", "\U0001f3ff"]
_BLANK = ["", " ", "\t", "\n", "\r\n", "\u3000", "\u00a0", "\u2028", "\u2029", "\x0b", "\x0c", "\u200b"]


def _planes(r: random.Random) -> str:
    """Code points of any plane, surrogates, private use and unassigned ones included."""
    out = []
    for _ in range(r.randint(1, 120)):
        plane = r.choice((0, 0, 0, 1, 2, 3, 14, 15, 16, r.randint(4, 13)))
        out.append(chr(plane * 0x10000 + r.randrange(0x10000)))
    return "".join(out)


def _words(r: random.Random, n: int) -> list[str]:
    return [r.choice(_WORDS) for _ in range(n)]


def _sprinkle(r: random.Random, pool: Sequence[str], rate: float) -> str:
    out = []
    for w in _words(r, r.randint(1, 30)):
        out.append(w)
        while r.random() < rate:
            out.append(r.choice(pool))
    return "".join(out)


def _surrogates(r: random.Random) -> str:
    pool = ["\ud800", "\udbff", "\udc00", "\udfff", chr(r.randint(0xD800, 0xDFFF)), "\ud83d", "\ude00"]
    return _sprinkle(r, pool, 0.4)


def _combining(r: random.Random) -> str:
    base = r.choice(["a", "e", "炸", "Z", " ", "", "\u0e01", "\U0001f600"])
    flood = "".join(r.choice(_COMBINING) for _ in range(r.choice((10, 100, 1000, r.randint(1, 5000)))))
    return " ".join(_words(r, r.randint(0, 5))) + base + flood + " ".join(_words(r, r.randint(0, 5)))


def _zwj_emoji(r: random.Random) -> str:
    seqs = []
    for _ in range(r.randint(1, 40)):
        parts = [r.choice(_EMOJI) + r.choice(_SKIN) for _ in range(r.randint(1, 8))]
        seq = "\u200d".join(parts)
        if r.random() < 0.2:  # flags and keycaps: regional indicators, tag sequences, combining enclosing keycap
            seq += r.choice(["\U0001f1e8\U0001f1f3", "\U0001f3f4\U000e0067\U000e0062\U000e007f", "1\ufe0f\u20e3"])
        seqs.append(seq)
    return r.choice(_WORDS).join(seqs)


def _long(r: random.Random, max_chars: int) -> str:
    """A very long text: repeated random pieces of every other kind, or one run of CJK characters (the worst case)."""
    size = r.choice((max_chars, r.randint(min(10_000, max_chars), max_chars)))
    if r.random() < 0.5:
        return "".join(chr(c) for c in np.random.default_rng(r.randrange(2**32)).integers(0x4E00, 0x9FFF, size=size))
    piece = "".join(GENERATORS[k](r) for k in r.sample(KINDS[:-1], 4)) or "x"
    return (piece * (size // len(piece) + 1))[:size]


GENERATORS = {
    "planes": _planes,
    "surrogates": _surrogates,
    "controls": lambda r: _sprinkle(r, _CONTROLS, 0.5),
    "bidi_zero_width": lambda r: _sprinkle(r, _INVISIBLE, 0.6),
    "combining": _combining,
    "zwj_emoji": _zwj_emoji,
    "blank": lambda r: "".join(r.choice(_BLANK) for _ in range(r.randint(0, 8))),
    "mixed": lambda r: r.choice([" ", ""]).join(_words(r, r.randint(1, 80))),
}


def generate(n: int, seed: int = 0, *, long_every: int = 2_000, long_chars: int = 1_000_000) -> list[tuple[str, str]]:
    """``n`` (kind, text) pairs, the same for the same arguments; every kind appears once ``n`` ≥ 2 × len(KINDS).

    >>> [k for k, _ in generate(3)]
    ['planes', 'surrogates', 'controls']
    """
    r = random.Random(seed)
    short = KINDS[:-1]
    out: list[tuple[str, str]] = []
    for i in range(n):
        if i < len(KINDS):
            kind = KINDS[i]  # each kind at least once, even in a small run
        elif i % long_every == long_every - 1:
            kind = "long"
        else:
            kind = short[r.randrange(len(short))]
        text = _long(r, long_chars) if kind == "long" else GENERATORS[kind](r)
        out.append((kind, text))
    return out


def run(clf: Any, texts: Sequence[tuple[str, str]], *, batch: int = 256, alone_every: int = 50,
        progress: bool = False) -> dict[str, Any]:
    """Score ``texts`` in batches and a sample alone; count crashes, NaNs, out-of-range scores, batch dependence."""
    crashes: list[dict[str, Any]] = []
    nan = out_of_range = truncated = alone_checked = 0
    dependence = 0.0
    worst: dict[str, Any] = {}
    t0 = time.perf_counter()
    for start in range(0, len(texts), batch):
        chunk = texts[start : start + batch]
        try:
            scores = clf.predict([t for _, t in chunk])
        except Exception:  # noqa: BLE001 - a fuzzer records every failure, then names the inputs that cause it
            scores = None
        rows: list[np.ndarray | None] = []
        for j, (kind, text) in enumerate(chunk):
            if scores is not None:
                rows.append(scores.scores[j])
                truncated += bool(scores.truncated[j])
                continue
            try:
                rows.append(clf.predict(text).scores[0])
            except Exception as e:  # noqa: BLE001
                crashes.append({"index": start + j, "kind": kind, "error": f"{type(e).__name__}: {e}"[:300],
                                "text": ascii(text[:200]), "chars": len(text)})
                rows.append(None)
        for j, ((kind, text), row) in enumerate(zip(chunk, rows, strict=True)):
            if row is None:
                continue
            nan += int(np.isnan(row).any())
            out_of_range += int(((row < 0) | (row > 1)).any())
            if (start + j) % alone_every == 0:
                alone = clf.predict(text).scores[0]
                diff = float(np.max(np.abs(alone - row)))
                alone_checked += 1
                if diff > dependence or np.isnan(diff):
                    dependence = diff
                    worst = {"index": start + j, "kind": kind, "chars": len(text)}
        if progress and (start // batch) % 40 == 0:
            print(f"  {start + len(chunk)}/{len(texts)} inputs, {time.perf_counter() - t0:.0f} s", flush=True)
    seconds = time.perf_counter() - t0
    return {
        "inputs": len(texts),
        "kinds": dict(Counter(k for k, _ in texts)),
        "chars": sum(len(t) for _, t in texts),
        "crashes": crashes,
        "nan": nan,
        "out_of_range": out_of_range,
        "truncated": truncated,
        "alone_checked": alone_checked,
        "batch_dependence_max": dependence,
        "batch_dependence_worst": worst,
        "seconds": round(seconds, 1),
        "inputs_per_s": round(len(texts) / seconds, 1) if seconds else None,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default="default", help="model name or folder (ignored with --tiny)")
    p.add_argument("--tiny", action="store_true", help="a tiny random model built on the spot (fast)")
    p.add_argument("--precision", default="fp32")
    p.add_argument("--n", type=int, default=100_000, help="inputs to generate")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--batch", type=int, default=256, help="texts per predict call")
    p.add_argument("--alone-every", type=int, default=50, help="score every k-th input alone as well")
    p.add_argument("--long-every", type=int, default=2_000, help="one very long text every k inputs")
    p.add_argument("--long-chars", type=int, default=1_000_000, help="the longest text, in characters")
    p.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "fuzz.json")
    args = p.parse_args(argv)
    if args.tiny:
        from gensafe.build.testing import build_tiny_model

        folder = build_tiny_model(Path(tempfile.mkdtemp()) / "tiny", max_tokens=64, precisions=("fp32",))[0]
        clf = gensafe.load(folder, device="cpu", precision="fp32")
    else:
        clf = gensafe.load(args.model, device="cpu", precision=args.precision)
    t0 = time.perf_counter()
    texts = generate(args.n, args.seed, long_every=args.long_every, long_chars=args.long_chars)
    generated = time.perf_counter() - t0
    report = run(clf, texts, batch=args.batch, alone_every=args.alone_every, progress=True)
    import onnxruntime

    report = {"model": "tiny-random" if args.tiny else clf.name, "precision": clf.precision, "seed": args.seed,
              "max_chars": clf.max_chars, "max_windows": clf.max_windows, "generate_seconds": round(generated, 1),
              **report, "crash_count": len(report["crashes"]), "gensafe": gensafe.__version__,
              "onnxruntime": onnxruntime.__version__, "python": platform.python_version(), "cpus": os.cpu_count()}
    report["crashes"] = report["crashes"][:50]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    failed = report["crash_count"] or report["nan"] or report["out_of_range"]
    print(f"fuzz {'FAIL' if failed else 'PASS'}: {report['inputs']} inputs ({report['chars']:,} characters) on "
          f"{report['model']} {report['precision']} in {report['seconds']} s: {report['crash_count']} crashes, "
          f"{report['nan']} NaN, {report['out_of_range']} out of [0, 1], {report['truncated']} truncated; "
          f"batch dependence max {report['batch_dependence_max']:.2e} over {report['alone_checked']} texts alone "
          f"-> {args.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
