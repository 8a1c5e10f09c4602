"""Average the weights of finished runs of one model ("model soup"), ready for train.py to calibrate and export.

The runs must share labels and architecture (e.g. the same run after epoch 2 and after a resumed epoch 3). The
averaged weights go to ``<out>/checkpoint/`` with the newest run's step count, so that resuming ``train.py`` on
``out=<out>`` with the same ``max_steps`` trains nothing and goes straight to calibration, export and evaluation.

Example:
    python training/average_checkpoints.py runs/default-e2 runs/default-e3 --out runs/soup
    python training/train.py --config training/configs/default.toml out=runs/soup max_steps=8142
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file


def average(runs: list[Path], out: Path) -> Path:
    states = [json.loads((r / "checkpoint" / "state.json").read_text()) for r in runs]
    if any(s["labels"] != states[0]["labels"] for s in states):
        raise SystemExit("the runs were trained on different labels; they cannot be averaged")
    weights = [load_file(str(r / "checkpoint" / "model.safetensors")) for r in runs]
    if any(w.keys() != weights[0].keys() for w in weights):
        raise SystemExit("the runs have different architectures; they cannot be averaged")
    mean = {}
    for name, first in weights[0].items():
        if first.is_floating_point():
            mean[name] = (torch.stack([w[name].float() for w in weights]).mean(0)).to(first.dtype)
        else:  # integer buffers (position ids) are identical across runs
            mean[name] = first
    newest = max(range(len(runs)), key=lambda i: states[i]["step"])
    ckpt = out / "checkpoint"
    ckpt.mkdir(parents=True, exist_ok=True)
    save_file(mean, str(ckpt / "model.safetensors"))
    shutil.copy(runs[newest] / "checkpoint" / "optimizer.safetensors", ckpt / "optimizer.safetensors")
    state = dict(states[newest], averaged_from=[str(r) for r in runs])
    (ckpt / "state.json").write_text(json.dumps(state))
    return ckpt


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("runs", nargs="+", type=Path, help="run folders, each with checkpoint/")
    p.add_argument("--out", type=Path, required=True, help="new run folder")
    args = p.parse_args()
    print(f"averaged {len(args.runs)} checkpoints into {average(args.runs, args.out)}")


if __name__ == "__main__":
    main()
