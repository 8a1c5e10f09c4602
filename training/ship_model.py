"""Copy a trained model folder into ``models/`` and write its model card from the measured files.

Every figure in the card is read from files that scripts wrote — ``metrics.json`` (``train.py`` / ``evaluate.py``),
the manifest's parity record, and the CPU benchmark rows (``benchmarks/cpu_suite.py``) — so the card can be
regenerated, and checked, by rerunning them.

Usage::

    python training/ship_model.py --run runs/default --bench benchmarks/results/cpu [--holdout runs/loso-cold] [--default]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from gensafe.manifest import ModelManifest, verify_files
from gensafe.taxonomy import RISK_CODES, risk

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evaluate import pct  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BUDGET_MB = 60


def _count(n: int | None) -> str:
    return "?" if n is None else f"{n:,}"


def holdout_section(runs: Sequence[Path], metrics: dict, point: str) -> list[str]:
    """Leave-one-source-out table: each run trained without one whole source and was scored on all of its rows."""
    lines = ["### Leave-one-source-out (a source the model never saw)", "",
             "Each row is a separate run of the same recipe with one whole source removed from train, dev and test "
             "(`train.py … holdout_source=NAME`), scored on every row of that source; beside it, the shipped model "
             "on the same source's test rows (in-distribution).", "",
             "| held-out source | run steps | rows | P | R | F1 | safe rows flagged % | shipped model F1 (test rows) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    drops = []
    for run in runs:
        cfg = json.loads((run / "train_config.json").read_text())
        held = json.loads((run / "holdout" / "metrics.json").read_text())
        name = cfg["holdout_source"]
        stats = held["points"][point]["by_source"][name]
        steps = json.loads((run / "checkpoint" / "state.json").read_text())["step"]
        shipped = metrics["points"][point]["by_source"].get(name)
        lines.append(f"| {name} | {steps} | {held['n']:,} | {pct(stats['precision'])} | {pct(stats['recall'])} | "
                     f"{pct(stats['f1'])} | {pct(stats['false_positive_rate'])} | "
                     f"{pct(shipped['f1']) if shipped else '—'} |")
        if shipped and stats["f1"] < shipped["f1"]:
            drops.append(f"{name} {pct(shipped['f1'])} → {pct(stats['f1'])}")
    if drops:
        lines += ["", f"Unseen, a source scores below its in-distribution F1 ({'; '.join(drops)}): expect the figures "
                  "above to overstate quality on independent data, and check the operating point on your own traffic."]
    return lines + [""]


def card(manifest: ModelManifest, metrics: dict, bench: dict | None, run: Path, size_mb: float,
         holdouts: Sequence[Path] = ()) -> str:
    prov = manifest.provenance
    base = prov.get("base_model", {})
    cfg = prov.get("config", {})
    default = manifest.default_operating_point
    lines = [
        f"# Model card: {manifest.name}", "",
        "gensafe's default classifier: scores Chinese and English text against the risks of TC260-003 / "
        "GB/T 45654-2025 Appendix A that it was trained on. It is a screening tool for prompts, responses and "
        "user content in generative-AI services — one of the three checks (keywords, classifier, human review) the "
        "standard expects — not a replacement for human review or legal judgement.", "",
        "## What it is", "",
        f"* Base encoder: {base.get('upstream', {}).get('model', base.get('path_or_id'))} "
        f"({base.get('upstream', {}).get('licence', 'see base folder')}), rebuilt offline from PyPI wheels "
        f"(`training/build_base_encoder.py`), vocabulary trimmed to "
        f"{_count(base.get('trim', {}).get('kept_pieces'))} zh/en pieces, layers kept {prov.get('layers_kept')}.",
        f"* Head: mean pooling → linear, {len(manifest.labels)} sigmoid outputs (multi-label). Window "
        f"{manifest.max_tokens} tokens with {manifest.window_overlap}-token overlap; longer texts are scored as the "
        f"max over windows. Text prefix `{manifest.text_prefix!r}`.",
        "* Files: " + ", ".join(f"`{f}` ({p}; {prov.get('parity', {}).get(p, {}).get('storage', p)})"
                                for p, f in manifest.onnx.items())
        + f", `tokenizer.json`; {size_mb:.1f} MB in all, sha256 of each in `manifest.json`."
        + (" Derived on first use and cached (hash-checked): " + ", ".join(
            f"{t} from {s}" for t, s in manifest.derive.items()) + "." if manifest.derive else ""),
        "* Trained with `python training/train.py --config training/configs/default.toml`"
        + (f", then resumed with `max_steps={cfg['max_steps']}` (a second epoch, learning-rate schedule restarted; "
           "see training/README.md)" if cfg.get("max_steps") else "")
        + f" ({prov.get('train', {}).get('steps')} steps, batch {cfg.get('batch_size')}, "
        f"{prov.get('train', {}).get('seconds')} s on {prov.get('train', {}).get('device')}, torch "
        f"{prov.get('train', {}).get('torch')}).", "",
        "## Training data (licence-clean `default` build)", "",
        "| dataset | licence | training rows |", "|---|---|---:|",
    ]
    for d in prov.get("datasets", []):
        lines.append(f"| {d['name']} | {d['licence']} | {d['train_rows']:,} |")
    lines += ["", f"{prov.get('not_trained_on', '')}. Label mapping: `training/label_map.toml`; counts per risk, "
              "language and split: `DATA_CARD.md`.", "",
              "## Coverage: which risks get a score", ""]
    uncovered = [c for c in RISK_CODES if c not in manifest.labels]
    lines += ["| risk | name | training positives |", "|---|---|---:|"]
    for c in manifest.labels:
        lines.append(f"| {c} | {risk(c).en} | {_count(prov.get('train_support', {}).get(c))} |")
    lines += ["", "**Not covered by the classifier** (no real training support in licence-clean data; the model emits "
              "no score for them — use the keyword tier, a research build, or your own data): "
              + ", ".join(f"{c} {risk(c).en}" for c in uncovered) + ".", ""]
    lines += ["## Quality on the project's test split", "",
              f"Measured with the shipped {metrics.get('precision')} graph through `gensafe.load` "
              f"({metrics['n']:,} test texts; reproduce: `python training/evaluate.py --model models/{manifest.name} "
              f"--data runs/data/default` after `python training/build_data.py --out runs/data/default`).", "",
              "### Unsafe vs safe", "", "| operating point | zh P | zh R | zh F1 | en P | en R | en F1 |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    for point, data in metrics["points"].items():
        zh, en = data["binary"]["zh"], data["binary"]["en"]
        lines.append(f"| {point} | {pct(zh['precision'])} | {pct(zh['recall'])} | {pct(zh['f1'])} | "
                     f"{pct(en['precision'])} | {pct(en['recall'])} | {pct(en['f1'])} |")
    best = {lg: max(metrics["points"].items(), key=lambda kv: kv[1]["binary"][lg]["f1"]) for lg in ("zh", "en")}
    lines += ["", "Best F1: " + "; ".join(f"{lg} {pct(v[1]['binary'][lg]['f1'])} at `{v[0]}`" for lg, v in best.items())
              + f". Expected calibration error (test): {metrics['ece']:.4f}.", ""]
    lines += [f"### Per risk (operating point `{default}`; risks with ≥ 50 test examples)", "",
              "| risk | precision | recall | F1 | ROC-AUC | support |", "|---|---:|---:|---:|---:|---:|"]
    for code, m in metrics["points"][default]["per_risk"].items():
        if m["support"] >= 50:
            auc = "—" if m["auc"] is None else f"{m['auc']:.3f}"
            lines.append(f"| {code} {risk(code).en} | {pct(m['precision'])} | {pct(m['recall'])} | {pct(m['f1'])} | "
                         f"{auc} | {m['support']} |")
    small = [f"{c} ({m['support']})" for c, m in metrics["points"][default]["per_risk"].items() if m["support"] < 50]
    if small:
        lines += ["", "Fewer than 50 test examples (figures in EVALUATION.md, too noisy to quote): " + ", ".join(small) + "."]
    lines += ["", "### Operating points", "",
              "Thresholds per risk, chosen on the dev split: `strict` = recall ≥ 90 % per risk (flags more), "
              "`balanced` (the default) = per-risk best F1, then tuned jointly for the F1 of the any-risk verdict, "
              "`loose` = precision ≥ 90 % per risk (flags less). Pick one with "
              "`gensafe.Policy(operating_point=...)` or `--operating-point`.", "",
              "### Benign text about sensitive matters (false-positive rate, %)", "",
              "| operating point | benign texts | false-positive rate % |", "|---|---:|---:|"]
    for point, data in metrics["points"].items():
        lines.append(f"| {point} | {data['benign_n']:,} | {pct(data['benign_false_positive_rate'])} |")
    lines += ["", "Benign set: the safe test rows of LawRefBook-Laws (PRC statutes on state security, crime, "
              "personality rights), Chinese-medical-dialogue (health Q&A), XSTest safe prompts (homonyms, safe "
              "contexts), HalluQA / HaluEval answers, deccp answered questions and HateCheck non-hateful cases. "
              "Per-source rates: EVALUATION.md.", ""]
    chi = metrics.get("chisafety", {}).get(default)
    if chi:
        lines += ["### CHiSafetyBench should-refuse questions (never trained on)", "",
                  "| risk | n | flagged (any risk) % | flagged as this risk % |", "|---|---:|---:|---:|"]
        for code, v in chi.items():
            right = pct(v["recall_right_risk"]) if v["covered"] else "not covered"
            lines.append(f"| {code} | {v['n']} | {pct(v['recall_any'])} | {right} |")
        lines.append("")
    if holdouts:
        lines += holdout_section(holdouts, metrics, default)
    parity = prov.get("parity", {})
    if parity:
        lines += ["### Export parity (torch vs ONNX, test split)", "",
                  "| graph | max abs logit diff | identical decisions | passed |", "|---|---:|---:|---|"]
        for prec, p in parity.items():
            lines.append(f"| {prec} | {p['max_abs_logit_diff']:.2e} | {100 * p['decision_agreement']:.2f}% "
                         f"({p['n_decisions']}) | {p['passed']} |")
        lines.append("")
    if bench:
        lines += ["## Speed (CPU)", "", f"Measured by `{bench['command']}` on {bench['machine']}:", "",
                  "| engine | precision | texts/s end to end | batch-1 p50 ms |", "|---|---|---:|---:|"]
        for r in bench["rows"]:
            lines.append(f"| {r['engine']} | {r['precision']} | {r['texts_per_s']:.1f} | {r['batch1']['p50_ms']:.1f} |")
        lines.append("")
    target = 0.85
    missed = [lg for lg in ("zh", "en") if best[lg][1]["binary"][lg]["f1"] < target]
    lines += ["## Known gaps and cautions", ""]
    if missed:
        lines.append(f"* **Below the project's quality target**: unsafe-vs-safe F1 ≥ {target:.2f} per language is not "
                     f"met for {', '.join(missed)} (see the table above). The noisiest sources (SWSR, EDOS, "
                     "DiaSafety) hold it down. All 12 layers measured clearly better than 6 at equal steps (training/README.md); "
                     "training them to convergence is the next step.")
    int8 = parity.get("int8")
    if int8 and not int8["passed"]:
        lines.append(f"* int8 (`precision=\"int8\"`, {int8.get('graph', 'shipped')}) is faster on CPU but its "
                     f"decisions equal the torch model's on only {100 * int8['decision_agreement']:.1f}% of test texts "
                     "(target 99.5 %): dynamic int8 activations are quantised per batch, so a score near a threshold "
                     "can move with the other texts in the batch. The default graph computes in fp32 and does not.")
    lines += [
              "* Risks listed as not covered get no score; the keyword tier (`gensafe.keywords`) and the TC260 "
              "keyword floors are the stop-gap for A.1.1–A.1.5.",
              "* A.1.2 is learnt mostly from English questions a Chinese model refused (deccp): it flags "
              "politically sensitive questions, which is what TC260 asks, but few examples back it.",
              "* A.5 (inaccurate / unreliable answers) needs a reference answer; a text classifier cannot judge it.",
              "* Labels were mapped from public datasets whose categories only approximate TC260's (see "
              "`training/label_map.toml`); scores are evidence for review, not legal findings.",
              "* Test-split figures are in-distribution; independent data will score lower. Check the "
              "operating point on your own traffic before relying on it.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--run", required=True, type=Path)
    p.add_argument("--bench", type=Path, default=None, help="benchmarks/results/cpu (rows.jsonl + summary)")
    p.add_argument("--holdout", type=Path, nargs="*", default=[],
                   help="leave-one-source-out runs (train.py holdout_source=...) to report in the card")
    p.add_argument("--default", action="store_true", help="make it the model gensafe.load() opens by default")
    p.add_argument("--models-dir", type=Path, default=ROOT / "models", help="where model folders live (default models/)")
    args = p.parse_args(argv)
    src = args.run / "model"
    manifest = ModelManifest.read(src)
    verify_files(src, manifest)
    dst = args.models_dir / manifest.name
    if dst.exists():
        shutil.rmtree(dst)
    dst.mkdir(parents=True)
    for name in manifest.files:
        shutil.copyfile(src / name, dst / name)
    shutil.copyfile(src / "manifest.json", dst / "manifest.json")
    for name in ("report.md", "pr_curves.png", "DATA_CARD.md", "metrics.json"):
        if (args.run / name).exists():
            shutil.copyfile(args.run / name, dst / ("EVALUATION.md" if name == "report.md" else name))
    size_mb = sum((dst / n).stat().st_size for n in manifest.files) / 1e6
    if size_mb > BUDGET_MB:
        sys.exit(f"{dst} holds {size_mb:.1f} MB of model files, over the {BUDGET_MB} MB budget")
    metrics = json.loads((args.run / "metrics.json").read_text())
    bench = None
    if args.bench and (args.bench / "rows.jsonl").exists():
        rows = [json.loads(line) for line in (args.bench / "rows.jsonl").read_text().splitlines()]
        checks = json.loads((args.bench / "checks.json").read_text())
        env = checks["env"]
        summary = (args.bench / "summary.md").read_text().splitlines()
        command = next((line.split("`")[1] for line in summary if line.startswith("Reproduce:")), "")
        bench = {"rows": [r for r in rows if r["suite"] == "end_to_end"], "command": command,
                 "machine": f"{env['cpu_count']} CPUs, onnxruntime {env['onnxruntime']}, torch {env.get('torch')}"}
    (dst / "MODEL_CARD.md").write_text(card(manifest, metrics, bench, args.run, size_mb, args.holdout), encoding="utf-8")
    verify_files(dst, manifest)
    if args.default:
        (args.models_dir / "default.json").write_text(json.dumps({"model": manifest.name}) + "\n")
    print(f"shipped {manifest.name} to {dst} ({size_mb:.1f} MB){' as the default' if args.default else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
