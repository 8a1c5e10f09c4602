"""Ship a model: copy a trained model folder into ``models/``, score the test split once, write its model card.

The test split is read here and nowhere else in the pipeline (training chooses everything on dev): shipping a model
is the one time its test figures are measured. Every figure in the card comes from files that scripts wrote —
``metrics.json`` (``evaluate.py``, run here on test), the manifest's parity record, and the CPU benchmark rows
(``benchmarks/cpu_suite.py``) — so the card can be regenerated, and checked, by rerunning this command.

Usage::

    python training/ship_model.py --run runs/default --data runs/data/default --bench benchmarks/results/cpu \
        [--holdout runs/loso-cold ...] [--default]
    python training/ship_model.py --run runs/v5-wise --data runs/data/s9 --suites runs/data/s9-suites \
        --not-trained-in runs/data/default        # from v3s's weights: score the rows neither build trained on
    python training/ship_model.py --model models/gensafe-zh-en-v1 --data runs/data/default \
        --unseen-column v1_unseen --bench benchmarks/results/cpu      # re-card a shipped model
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shlex
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import gensafe
from gensafe.manifest import ModelManifest, verify_files
from gensafe.taxonomy import RISK_CODES, risk

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evaluate import headline_table, load_data, pct, suites_markdown, write_report  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BUDGET_MB = 80


NOT_TRAINED_COLUMN = "not_trained_in_start"


def mark_not_trained_in(ds: Any, build: Path) -> Any:
    """``ds`` with a boolean column on every split: the text is not in ``build``'s train split. For a model whose
    starting weights were trained on another build, whose regrouping put some of those texts in this build's test."""
    from datasets import load_from_disk

    seen = set(load_from_disk(str(build))["train"]["text"])
    for name in list(ds):
        ds[name] = ds[name].add_column(NOT_TRAINED_COLUMN, [t not in seen for t in ds[name]["text"]])
    return ds


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


def quality_section(manifest: ModelManifest, metrics: dict, data: Path = Path("runs/data/default"),
                    suites: Path | None = None) -> list[str]:
    """Headline (unmasked, as users see it), public vs authored rows, external suites, masked per-risk figures and the
    operating-point targets — all read from evaluate.py's metrics.json. ``data`` / ``suites``: the folders scored."""
    builds = f"`python training/build_data.py --data $GENSAFE_DATA --out {data}`"
    if suites:
        builds += (f" and `python training/build_suites.py --data $GENSAFE_DATA --against {data} --out {suites}`")
    default = metrics.get("default_operating_point", manifest.default_operating_point)
    rows = ("every row" if metrics.get("rows", "all") == "all" else
            f"only rows the model never trained on (`{metrics['rows']}`: see below)")
    lines = [f"## Quality (split `{metrics['split']}`, scored once for this card)", "",
             f"Measured with the shipped {metrics.get('precision')} graph through `gensafe.load`, {rows}: "
             f"{metrics['n']:,} texts. Reproduce: `{metrics.get('command', 'python training/evaluate.py')}` after "
             f"{builds}. Full tables: EVALUATION.md.", "",
             "### Unsafe vs safe, as a user sees it", "",
             "A text counts as flagged when **any** risk fires (unmasked, every row). Default operating point: "
             f"`{default}` (the same in the manifest, the code and the docs).", ""]
    lines += headline_table(metrics, ("zh", "en", "all"))
    lines += ["", "Public-source rows beside the project's authored rows (a gain only on the project's own writing "
              "shows up here):", ""]
    lines += headline_table(metrics, ("public zh", "public en", "authored zh", "authored en"))
    lines += ["", "By form (public rows): prompts are mostly questions and requests, content mostly statements and "
              "comments, responses are model answers. A model that learnt form instead of harm flags benign prompts "
              "or misses harmful statements:", ""]
    lines += headline_table(metrics, ("public prompts", "public responses", "public contents"))
    lines += ["", "### External suites (at `" + default + "`)", ""]
    lines += suites_markdown(metrics.get("suites", {}), default, list(manifest.labels))
    lines += [f"### Per risk — masked (operating point `{default}`; risks with ≥ 50 examples)", "",
              "Masked: each risk scored only on rows whose source judged it. For diagnosis; not the headline.", "",
              "| risk | precision | recall | F1 | ROC-AUC | support |", "|---|---:|---:|---:|---:|---:|"]
    per = metrics["points"][default]["per_risk_masked"]
    for code, m in per.items():
        if m["support"] >= 50:
            auc = "—" if m["auc"] is None else f"{m['auc']:.3f}"
            lines.append(f"| {code} {risk(code).en} | {pct(m['precision'])} | {pct(m['recall'])} | {pct(m['f1'])} | "
                         f"{auc} | {m['support']} |")
    small = [f"{c} ({m['support']})" for c, m in per.items() if m["support"] < 50]
    if small:
        lines += ["", "Fewer than 50 examples (EVALUATION.md has them; too noisy to quote): " + ", ".join(small) + "."]
    if manifest.provenance.get("architecture") == "harm-risk":
        return lines + harm_risk_points(manifest, metrics)
    lines += ["", "### Operating points and their targets", "",
              "`strict` promises recall ≥ 90 % per risk, `loose` precision ≥ 90 % per risk, `balanced` the best F1 "
              "(thresholds chosen on dev). Where a promise does not hold on the evaluated rows (masked per-risk "
              "figures, risks with ≥ 20 positives), it is listed here rather than hidden:", ""]
    for point, target, key in (("strict", 0.9, "recall"), ("loose", 0.9, "precision")):
        table = metrics["points"].get(point, {}).get("per_risk_masked", {})
        missed = [f"{c} {pct(m[key])}" for c, m in table.items() if m["support"] >= 20 and m[key] < target]
        lines.append(f"* `{point}` {key} ≥ {100 * target:.0f} %: " + (
            f"missed for {len(missed)} of {sum(m['support'] >= 20 for m in table.values())} risks ({', '.join(missed)})"
            if missed else "met for every risk with ≥ 20 positives"))
    clipped = {c: t for c, t in manifest.thresholds.get("loose", {}).items() if t >= 0.98}
    if clipped:
        lines.append("* Thresholds at the 0.98 ceiling (`loose`): " + ", ".join(sorted(clipped))
                     + " — no threshold below it reached the precision target on dev.")
    notes = manifest.provenance.get("threshold_notes", {})
    if notes:
        lines.append("* Calibration notes recorded in the manifest: "
                     + "; ".join(f"{c}: {n}" for c, n in sorted(notes.items())) + ".")
    return lines + [""]


def harm_risk_points(manifest: ModelManifest, metrics: dict) -> list[str]:
    """The operating points of a harm-risk model: one P(unsafe) threshold each, what it was chosen for on dev, what
    it gives on the evaluated rows."""
    lines = ["", "### Operating points (one threshold on P(unsafe) each, chosen on dev)", "",
             "`strict`: recall ≥ 90 % on dev; `balanced` (default): best dev F1; `loose`: precision ≥ 90 % on dev.", "",
             "| point | threshold | P | R | F1 | safe texts flagged % |", "|---|---:|---:|---:|---:|---:|"]
    for point in ("strict", "balanced", "loose"):
        m = metrics["points"].get(point, {}).get("binary", {}).get("all")
        if m:
            t = next(iter(manifest.thresholds[point].values()))
            lines.append(f"| {point} | {t:.3f} | {pct(m['precision'])} | {pct(m['recall'])} | {pct(m['f1'])} | "
                         f"{pct(m['false_positive_rate'])} |")
    notes = manifest.provenance.get("threshold_notes", {})
    if notes:
        lines += ["", "Calibration notes recorded in the manifest: " + "; ".join(notes.values()) + "."]
    return lines + [""]


def head_line(manifest: ModelManifest) -> str:
    """What the head is and how a verdict is made, by architecture."""
    window = (f"Window {manifest.max_tokens} tokens with {manifest.window_overlap}-token overlap; longer texts are "
              f"scored as the max over windows. Text prefix `{manifest.text_prefix!r}`.")
    if manifest.provenance.get("architecture") == "harm-risk":
        train = manifest.provenance.get("train", {})
        return ("* Heads (harm first, then which risk): mean pooling → a **harm head**, P(unsafe), trained on every "
                "row of every source, and a **risk head**, a softmax over the 31 risks trained on unsafe rows. "
                "Risk r's score is P(unsafe) × P(r | unsafe) / max_j P(j | unsafe), so the top risk's score "
                "*is* P(unsafe) and, at an operating point (one threshold shared by every risk), a text is flagged "
                "exactly when P(unsafe) reaches it; other risks are reported when the risk head gives them "
                "at least threshold / P(unsafe) of the top risk's weight. "
                "Per-risk and per-family policy overrides apply to these scores. "
                f"Lower {train.get('freeze_layers', 0)} layers and the embeddings were frozen in training "
                "(their outputs cached once; `training/frozen.py`). " + window)
    return (f"* Head: mean pooling → linear, {len(manifest.labels)} sigmoid outputs (multi-label). " + window)


def selection_section(prov: dict, metrics: dict, point: str) -> list[str]:
    """How the kept weights were chosen (dev + sources never trained on), and those sources' test rows."""
    selection = prov.get("selection")
    if not selection:
        return []
    sources = selection["sources"]
    lines = ["## How the kept weights were chosen", "",
             f"Never trained on: {', '.join(sources)}. Every {prov['config'].get('select_every')} steps the run scored "
             "P(unsafe) on a seeded sample of dev rows and on a sample of those sources' train + dev rows (ROC-AUC), "
             "and kept the step with the best mean of the two (never the test split):", "",
             "| step | dev ROC-AUC | held-out sources ROC-AUC | mean |", "|---:|---:|---:|---:|"]
    for e in selection["log"]:
        mark = " **kept**" if e["step"] == selection["selected"]["step"] else ""
        lines.append(f"| {e['step']}{mark} | {e['dev']:.4f} | {e['held_out_sources']:.4f} | {e['selection']:.4f} |")
    by_source = metrics["points"][point].get("by_source", {})
    rows = [(s, by_source[s]) for s in sources if s in by_source]
    if rows:
        lines += ["", "Their test rows (sources the model never saw), at `" + point + "`:", "",
                  "| source | rows | P | R | F1 | safe rows flagged % |", "|---|---:|---:|---:|---:|---:|"]
        lines += [f"| {s} | {m.get('n', '?')} | {pct(m['precision'])} | {pct(m['recall'])} | {pct(m['f1'])} | "
                  f"{pct(m['false_positive_rate'])} |" for s, m in rows]
    return lines + [""]


def card(manifest: ModelManifest, metrics: dict, bench: dict | None, size_mb: float,
         holdouts: Sequence[Path] = (), cautions: Sequence[str] = (), data: Path = Path("runs/data/default"),
         suites: Path | None = None) -> str:
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
        head_line(manifest),
        "* Files: " + ", ".join(f"`{f}` ({p}; {prov.get('parity', {}).get(p, {}).get('storage', p)})"
                                for p, f in manifest.onnx.items())
        + f", `tokenizer.json`; {size_mb:.1f} MB in all, sha256 of each in `manifest.json`."
        + (" Derived on first use and cached (hash-checked): " + ", ".join(
            f"{t} from {s}" for t, s in manifest.derive.items()) + "." if manifest.derive else ""),
        ("* Trained with `" + prov["train"]["command"] + "`" if prov.get("train", {}).get("command") else
         "* Trained with `python training/train.py --config training/configs/default.toml`"
         + (f", then resumed with `max_steps={cfg['max_steps']}` (a second epoch, learning-rate schedule restarted; "
            "see training/README.md)" if cfg.get("max_steps") else ""))
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
    if uncovered:
        lines += ["", "**Not covered by the classifier** (no real training support in licence-clean data; the model "
                  "emits no score for them — use the keyword tier, a research build, or your own data): "
                  + ", ".join(f"{c} {risk(c).en}" for c in uncovered) + ".", ""]
    else:
        lines += ["", "Every one of the 31 risks gets a score. Risks with few training positives are learnt mostly "
                  "from the project's authored items (`training/data/authored/CARD.md`): their attribution is the "
                  "least tested part of the model.", ""]
    lines += selection_section(prov, metrics, default)
    lines += quality_section(manifest, metrics, data, suites)
    if holdouts:
        lines += holdout_section(holdouts, metrics, default)
    else:
        lines += ["### Leave-one-source-out", "", "No leave-one-source-out runs were given for this card "
                  "(`ship_model.py --holdout RUN …`, runs of `train.py holdout_source=NAME`).", ""]
    parity = prov.get("parity", {})
    if parity:
        lines += ["### Export parity (torch vs ONNX)", "",
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
    f1 = {lg: metrics["points"][default]["binary"].get(f"public {lg}", {}).get("f1") for lg in ("zh", "en")}
    missed = [f"{lg} {pct(v)}" for lg, v in f1.items() if v is not None and v < target]
    lines += ["## Known gaps and cautions", ""]
    if metrics.get("rows") == NOT_TRAINED_COLUMN:
        lines.append(f"* **Evaluated only where it was not trained**: this model starts from the weights of a model "
                     f"trained on an earlier data build, whose regrouping put some of those training texts in this "
                     f"build's test split; its test figures use only the {metrics['n']:,} test rows that neither "
                     f"trained on (`ship_model.py --not-trained-in`).")
    elif metrics.get("rows", "all") != "all":
        lines.append(f"* **Evaluated only where it was not trained**: this model was trained from an older data build "
                     f"whose per-text splits leaked near-duplicates into train and whose choices were made on test. "
                     f"Its figures here use only rows it never saw (`{metrics['rows']}`: in that build's test split "
                     "and with no near-duplicate in its train or dev split); external suites it partly trained on "
                     "(HateCheck, XSTest) are shown on all rows and on its unseen rows.")
    if missed:
        lines.append(f"* **Below the project's quality target**: unsafe-vs-safe F1 ≥ {100 * target:.0f} on public "
                     f"rows at `{default}` is missed ({', '.join(missed)}).")
    int8 = parity.get("int8")
    if manifest.default_precision.get("cpu") == "int8":
        measured = (bench or {}).get("checks", {})
        agree, delta = measured.get("int8_agreement"), measured.get("int8_f1_delta_points")
        lines.append("* **int8 is the CPU default** (`precision=\"auto\"` on CPU; `precision=\"fp32\"` restores "
                     "fp32): its graph is derived on first use with static activation scales, so a text's score does "
                     "not depend on the texts batched with it"
                     + (f"; `benchmarks/cpu_suite.py` measured decisions equal to fp32 on {100 * agree:.2f} % of "
                        f"test texts (target ≥ 99 %) and unsafe-vs-safe F1 within {delta:.2f} points (target ≤ 0.5)"
                        if agree is not None and delta is not None else "")
                     + (f"; at export it matched the torch model's decisions on {100 * int8['decision_agreement']:.2f}"
                        " % of dev texts (the export table's stricter 99.5 % bar compares with torch, not fp32 ONNX)"
                        if int8 else "") + ".")
    elif int8 and not int8["passed"]:
        lines.append(f"* int8 (`precision=\"int8\"`, {int8.get('graph', 'shipped')}) is faster on CPU but its "
                     f"decisions equal the torch model's on only {100 * int8['decision_agreement']:.1f}% of "
                     + (f"{int8['n_decisions']:,} " if "n_decisions" in int8 else "the ")
                     + "dev texts checked at export (target 99.5 %): int8 rounding moves scores that lie "
                     "near a threshold. Its activation scales are fixed at calibration, so a text's score does not "
                     "depend on the texts batched with it. The default graph computes in fp32.")
    if any(c not in manifest.labels for c in RISK_CODES):
        lines += ["* Risks listed as not covered get no score; the keyword tier (`gensafe.keywords`) and the TC260 "
                  "keyword floors are the stop-gap for A.1.1–A.1.5.",
                  "* A.1.2 is learnt mostly from English questions a Chinese model refused (deccp): it flags "
                  "politically sensitive questions, which is what TC260 asks, but few examples back it."]
    lines += [
              "* A.5 (inaccurate / unreliable answers) is judged against a reference in TC260; a text classifier "
              "sees only the text: its A.5 scores say the text reads like known kinds of unreliable content, not "
              "that a fact was checked.",
              "* Labels were mapped from public datasets whose categories only approximate TC260's (see "
              "`training/label_map.toml`); scores are evidence for review, not legal findings.",
              "* Test-split figures are in-distribution; independent data will score lower. Check the "
              "operating point on your own traffic before relying on it.", *(f"* {c}" for c in cautions), ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--run", type=Path, help="a train.py run folder: copy its model into --models-dir and card it")
    what.add_argument("--model", type=Path, help="a model folder already in models/: only re-evaluate and re-card it")
    p.add_argument("--data", required=True, type=Path, help="folder written by build_data.py (its test split is "
                                                            "scored here, once per shipped model)")
    p.add_argument("--suites", type=Path, default=None, help="folder written by build_suites.py beside --data "
                                                              "(OKTest, WildGuardTest, ToxicChat: scored in the card)")
    p.add_argument("--unseen-column", default=None,
                   help="score only rows where this column is true (v1_unseen for gensafe-zh-en-v1)")
    p.add_argument("--not-trained-in", type=Path, default=None, metavar="BUILD",
                   help="another build whose train split the model's starting weights saw (init_from, a soup): "
                        "score only the texts not in it")
    p.add_argument("--bench", type=Path, default=None, help="benchmarks/results/cpu (rows.jsonl + summary)")
    p.add_argument("--holdout", type=Path, nargs="*", default=[],
                   help="leave-one-source-out runs (train.py holdout_source=...) to report in the card")
    p.add_argument("--caution", action="append", default=[], help="a line added to the card's known gaps "
                                                                 "(a measured fact the files above do not hold)")
    p.add_argument("--default", action="store_true", help="make it the model gensafe.load() opens by default")
    p.add_argument("--default-precision", action="append", default=[], metavar="KIND=PRECISION",
                   help="what precision='auto' picks on a device kind, e.g. cpu=int8 (written to the manifest; only "
                        "after benchmarks/cpu_suite.py measured that graph against fp32 on test texts)")
    p.add_argument("--models-dir", type=Path, default=ROOT / "models",
                   help="where model folders live (default models/)")
    args = p.parse_args(argv)
    if args.run:
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
    else:
        dst = args.model
        manifest = ModelManifest.read(dst)
    if args.default_precision:
        if any("=" not in item for item in args.default_precision):
            p.error(f"--default-precision takes KIND=PRECISION (e.g. cpu=int8), got {args.default_precision}")
        pairs = dict(item.split("=", 1) for item in args.default_precision)
        # replace() re-validates: each precision must be shipped or derivable
        manifest = dataclasses.replace(manifest, default_precision={**manifest.default_precision, **pairs})
        manifest.write(dst, rehash=False)
    verify_files(dst, manifest)
    size_mb = sum((dst / n).stat().st_size for n in manifest.files) / 1e6
    if size_mb > BUDGET_MB:
        sys.exit(f"{dst} holds {size_mb:.1f} MB of model files, over the {BUDGET_MB} MB budget")
    from gensafe.manifest import sha256_file
    from gensafe.registry import SHIPPED_MANIFESTS

    digest = sha256_file(dst / "manifest.json")
    pinned = SHIPPED_MANIFESTS.get(manifest.name)
    if pinned not in (None, digest):
        # a new build (or --default-precision) of a pinned name: this script is what produces the new pin, so it
        # scores the folder under it; the package keeps refusing the folder until registry.py holds it (hint below)
        SHIPPED_MANIFESTS[manifest.name] = digest
        print(f"note: {manifest.name} is pinned to an older manifest; scoring the new one (update the pin below)")
    # the one scoring of the test split for this model: EVALUATION.md, metrics.json and pr_curves.png in its folder
    clf = gensafe.load(dst, device="cpu")
    given = argv if argv is not None else sys.argv[1:]
    command = "python training/ship_model.py " + shlex.join(str(a) for a in given)
    ds = load_data(args.data, args.suites)
    unseen = args.unseen_column
    if args.not_trained_in:
        if unseen:
            p.error("--unseen-column and --not-trained-in each choose the rows: give one")
        ds, unseen = mark_not_trained_in(ds, args.not_trained_in), NOT_TRAINED_COLUMN
    metrics = write_report(clf, ds, dst, command, "test", unseen)
    (dst / "report.md").replace(dst / "EVALUATION.md")
    if (args.data / "DATA_CARD.md").exists():
        shutil.copyfile(args.data / "DATA_CARD.md", dst / "DATA_CARD.md")
    bench = None
    if args.bench and (args.bench / "rows.jsonl").exists():
        rows = [json.loads(line) for line in (args.bench / "rows.jsonl").read_text().splitlines()]
        checks = json.loads((args.bench / "checks.json").read_text())
        env = checks["env"]
        summary = (args.bench / "summary.md").read_text().splitlines()
        command = next((line.split("`")[1] for line in summary if line.startswith("Reproduce:")), "")
        bench = {"rows": [r for r in rows if r["suite"] == "end_to_end"], "command": command,
                 "checks": {t["name"]: t["measured"] for t in checks.get("targets", [])},
                 "machine": f"{env['cpu_count']} CPUs, onnxruntime {env['onnxruntime']}, torch {env.get('torch')}"}
    text = card(manifest, metrics, bench, size_mb, args.holdout, args.caution, args.data, args.suites)
    (dst / "MODEL_CARD.md").write_text(text, encoding="utf-8")
    verify_files(dst, manifest)
    if args.default:
        (args.models_dir / "default.json").write_text(json.dumps({"model": manifest.name}) + "\n")
    print(f"shipped {manifest.name} to {dst} ({size_mb:.1f} MB){' as the default' if args.default else ''}")
    if args.models_dir.resolve() == (ROOT / "models").resolve() and pinned != digest:
        print(f"pin it: set SHIPPED_MANIFESTS[{manifest.name!r}] = {digest!r} in src/gensafe/registry.py "
              "(tests/test_trust.py fails until then)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
