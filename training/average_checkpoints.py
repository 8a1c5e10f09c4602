"""Average the weights of finished runs of one model ("model soup"), ready for train.py to calibrate and export.

The runs must share labels and architecture (e.g. the same run after epoch 2 and after a resumed epoch 3, or two
recipes fine-tuned from the same base encoder with the same frozen layers). The averaged weights go to
``<out>/checkpoint/`` with the state of the run with most steps, so that resuming ``train.py`` on ``out=<out>`` with
that run's config trains nothing and goes straight to calibration, export and evaluation. ``--weights best`` averages
each run's *selected* weights (``best/``, chosen on dev and held-out sources) instead of its last step; the soup then
carries no selection log of its own, so the export keeps the averaged weights. A run written ``RUN:checkpoint`` or
``RUN:best`` takes those weights whatever ``--weights`` says (e.g. an earlier soup, which has no ``best/``).

Example:
    python training/average_checkpoints.py runs/default-e2 runs/default-e3 --out runs/soup
    python training/train.py --config training/configs/default.toml out=runs/soup max_steps=8142
    python training/average_checkpoints.py runs/v3 runs/v3c --weights best --out runs/v3-soup
    python training/train.py --config training/configs/v3c.toml data=runs/data/default out=runs/v3-soup \\
        name=gensafe-zh-en-v3s
    python training/average_checkpoints.py runs/v3 runs/v3c runs/v4 --weights best --state-from runs/v4 \\
        --out runs/v4-soup            # three runs on two builds: export under v4's config and build
    python training/train.py --config training/configs/v4.toml data=runs/data/s7 out=runs/v4-soup \\
        name=gensafe-zh-en-v4s
    python training/average_checkpoints.py runs/v3-soup:checkpoint runs/v5 --weights best --state-from runs/v5 \\
        --out runs/v5-wise            # the shipped soup v3s beside v5's selected step
    python training/train.py --config training/configs/v5.toml data=runs/data/s9 out=runs/v5-wise \\
        name=gensafe-zh-en-v5w
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file


WHICH = ("checkpoint", "best")


def split_run(arg: str | Path, default: str) -> tuple[Path, str]:
    """``RUN`` or ``RUN:checkpoint`` / ``RUN:best`` -> (run folder, which weights of it)."""
    text = str(arg)
    head, sep, tail = text.rpartition(":")
    if sep and tail in WHICH:
        return Path(head), tail
    return Path(text), default


def average(runs: list[Path | str], out: Path, weights_from: str = "checkpoint", state_from: Path | None = None) -> Path:
    specs = [split_run(r, weights_from) for r in runs]
    runs = [r for r, _ in specs]
    states = [json.loads((r / "checkpoint" / "state.json").read_text()) for r in runs]
    if any(s["labels"] != states[0]["labels"] for s in states):
        raise SystemExit("the runs were trained on different labels; they cannot be averaged")
    missing = [f"{r}/{which}/{n}" for r, which in specs
               for n in ["model.safetensors"] + (["selection.json"] if which == "best" else [])
               if not (r / which / n).exists()]
    if missing:
        raise SystemExit(f"missing: {missing}")
    weights = [load_file(str(r / which / "model.safetensors")) for r, which in specs]
    if any(w.keys() != weights[0].keys() for w in weights):
        raise SystemExit("the runs have different architectures; they cannot be averaged")
    mean = {}
    for name, first in weights[0].items():
        if first.is_floating_point():
            mean[name] = (torch.stack([w[name].float() for w in weights]).mean(0)).to(first.dtype)
        else:  # integer buffers (position ids) are identical across runs
            mean[name] = first
    # the run whose state (config, data fingerprint, steps) the soup carries: train.py exports it under that config,
    # calibrating on that run's data build; by default the run with most steps
    if state_from is not None:
        resolved = [r.resolve() for r in runs]
        if state_from.resolve() not in resolved:
            raise SystemExit(f"--state-from {state_from} is not one of the averaged runs {[str(r) for r in runs]}")
        newest = resolved.index(state_from.resolve())
    else:
        newest = max(range(len(runs)), key=lambda i: states[i]["step"])
    ckpt = out / "checkpoint"
    ckpt.mkdir(parents=True, exist_ok=True)
    save_file(mean, str(ckpt / "model.safetensors"))
    for name in ("optimizer.safetensors", "rng.safetensors"):
        if (runs[newest] / "checkpoint" / name).exists():
            shutil.copy(runs[newest] / "checkpoint" / name, ckpt / name)
    state = dict(states[newest], averaged_from=[f"{r}/{which}" for r, which in specs])
    # the soup is not one run's selection: a selection log would make train.py load <out>/best/ (absent) instead
    state["selection_log"] = []
    # the step each run's weights come from: its selected step (best/) or its last one (checkpoint/); none for a
    # checkpoint unpacked from a model folder (unpack_model.py), which records no run
    state["averaged_steps"] = [json.loads((r / "best" / "selection.json").read_text())["step"] if which == "best"
                               else s.get("step") for (r, which), s in zip(specs, states, strict=True)]
    (ckpt / "state.json").write_text(json.dumps(state))
    return ckpt


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("runs", nargs="+", help="run folders, each with checkpoint/ (RUN:checkpoint or RUN:best picks "
                                          "that run's weights whatever --weights says)")
    p.add_argument("--out", type=Path, required=True, help="new run folder")
    p.add_argument("--weights", choices=("checkpoint", "best"), default="checkpoint",
                   help="each run's last step (checkpoint/) or its selected weights (best/)")
    p.add_argument("--state-from", type=Path, default=None,
                   help="the averaged run whose config and data build the export uses (default: most steps)")
    args = p.parse_args()
    ckpt = average(args.runs, args.out, args.weights, args.state_from)
    print(f"averaged {len(args.runs)} runs' {args.weights} weights into {ckpt}")


if __name__ == "__main__":
    main()
