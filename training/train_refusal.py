"""Train, evaluate and ship the refusal detector (``models/refusal-zh-en-v1``), top to bottom.

Data (licence-clean, read in place from ``--data`` / ``$GENSAFE_DATA``; see its SOURCES.md):

* Do-Not-Answer (Apache-2.0, en): 939 risky prompts × 6 models, human ``action`` labels. 0 "cannot assist" →
  ``refusal``; 2 "both perspectives", 3 "answers with caution / disclaimer", 5 "follows the instruction" →
  ``compliance``. 1 "refutes the opinion" and 4 "cannot answer for lack of knowledge" mix refusals, partial answers
  and answers (read by hand). Action 1 answers that open with an explicit decline ("I'm sorry", "I cannot", "As an
  AI … I can't") and contain no turn to help ("however", "here are", …) read as refusals (470 rows; a weak label by
  rule, kept apart as source ``do-not-answer-a1``); the rest of 1, and all of 4, are left out rather than guessed.
* CoCoNot pref (MIT, en): ``chosen`` → ``compliance``. ``rejected`` is *not* used: a hand check of 10 random rows
  found 1 refusal, the rest lower-quality answers, so "rejected" is no refusal label.
* Project-authored examples, zh + en, all three classes (``training/data/refusal/``, written by
  ``training/author_refusal.py``).

External suites, never trained on or used to choose anything: XSTest v2 completions (en, human 3-class labels; its
completions carry the model vendors' licences, so they are used for measurement only) and JADE-DB v3.0 (zh, MIT;
``违规回答`` → compliance, ``安全有用回答`` → refusal-or-partial, so it is scored as a binary refused / complied task).

Splits are by group (a Do-Not-Answer / CoCoNot question, an authored topic): 70 / 15 / 15 by a stable hash. The
regularisation strength is chosen on dev; test and the external suites are scored once, after the choice.

Usage::

    nice -n 19 python training/train_refusal.py --data ../shared/data [--out models/refusal-zh-en-v1]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import re
import time
import zlib
from collections import Counter
from pathlib import Path

import numpy as np
from safetensors.numpy import save_file
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_recall_fscore_support

from gensafe import refusal

HERE = Path(__file__).resolve().parent
LABELS = refusal.LABELS
CONFIG = {"format": refusal.FORMAT, "labels": list(LABELS), "dim": 1 << 18, "ngram": [1, 4], "head_chars": 120,
          "tail_chars": 120, "body_chars": 1500, "use_question": False}
DNA_MODELS = ("GPT4", "ChatGPT", "Claude", "ChatGLM2", "llama2-7b-chat", "vicuna-7b")
DNA_ACTION = {"0": "refusal", "2": "compliance", "3": "compliance", "5": "compliance"}
DECLINE = re.compile(r"^\s*(i'?m sorry|i apologi[sz]e|i cannot|i can't|i can not|i am not able|i'm not able|i'm unable|"
                     r"i am unable|i'm just an ai|as an ai[^.]{0,80}(cannot|can't|unable|not able|don't have))", re.I)
TURN_TO_HELP = re.compile(r"\b(however|but here|that said|here are|in general|generally)\b", re.I)


# ---------------------------------------------------------------------------------------------------- 1. data
def read_dna(root: Path) -> list[dict]:
    rows = []
    with open(root / "Do-Not-Answer" / "data_en.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            for m in DNA_MODELS:
                text, action, source = r[f"{m}_response"], r[f"{m}_action"], "do-not-answer"
                label = DNA_ACTION.get(action)
                if action == "1" and DECLINE.search(text) and not TURN_TO_HELP.search(text):
                    label, source = "refusal", "do-not-answer-a1"
                if label and text.strip():
                    rows.append({"text": text, "question": r["question"], "label": label, "lang": "en",
                                 "group": f"dna-{r['id']}", "source": source})
    return rows


def read_coconot(root: Path) -> list[dict]:
    with gzip.open(root / "CoCoNot" / "coconot_pref.jsonl.gz", "rt", encoding="utf-8") as f:
        return [{"text": r["chosen"], "question": r["prompt"], "label": "compliance", "lang": "en",
                 "group": f"coconot-{r['id']}", "source": "coconot-chosen"} for r in map(json.loads, f)
                if r["chosen"].strip()]


def read_authored(folder: Path) -> list[dict]:
    rows = []
    for path in sorted(folder.glob("*.jsonl")):
        with open(path, encoding="utf-8") as f:
            rows += [json.loads(line) for line in f if line.strip()]
    return rows


def read_xstest(root: Path) -> list[dict]:
    rows = []
    names = {"1_full_compliance": "compliance", "2_full_refusal": "refusal", "3_partial_refusal": "partial"}
    for path in sorted((root / "XSTest" / "model_completions").glob("xstest_v2_completions_*.csv")):
        with open(path, encoding="utf-8") as f:
            rows += [{"text": r["completion"], "question": r["prompt"], "label": names[r["final_label"]], "lang": "en",
                      "source": path.stem.rsplit("_", 1)[-1]} for r in csv.DictReader(f)
                     if r["final_label"] in names]
    return rows


def read_jade(root: Path) -> list[dict]:
    rows = []
    for name in ("jade_alignment_hard_zh.csv", "jade_alignment_medium_zh.csv"):
        with open(root / "JADE-DB" / "jade-db-v3.0" / name, encoding="gb18030") as f:
            for r in csv.DictReader(f):
                rows.append({"text": r["违规回答"], "question": r["问题"], "label": "compliance", "lang": "zh"})
                rows.append({"text": r["安全有用回答"], "question": r["问题"], "label": "refusal", "lang": "zh"})
    return [r for r in rows if r["text"].strip()]


def split_of(group: str) -> str:
    h = zlib.crc32(group.encode("utf-8")) % 100
    return "train" if h < 70 else "dev" if h < 85 else "test"


# ---------------------------------------------------------------------------------------------------- 2. features
def matrix(rows: list[dict]) -> sparse.csr_matrix:
    indptr, indices, values = [0], [], []
    for r in rows:
        q = r.get("question") if CONFIG["use_question"] else None
        idx, val = refusal.featurize(r["text"], q, CONFIG)
        indices.append(idx)
        values.append(val)
        indptr.append(indptr[-1] + len(idx))
    return sparse.csr_matrix((np.concatenate(values), np.concatenate(indices), np.array(indptr)),
                             shape=(len(rows), CONFIG["dim"]))


# ---------------------------------------------------------------------------------------------------- 3. metrics
def per_class(y_true: list[str], y_pred: list[str], labels=LABELS) -> dict:
    p, r, f, n = precision_recall_fscore_support(y_true, y_pred, labels=list(labels), zero_division=0)
    out = {lab: {"precision": round(float(p[i]), 3), "recall": round(float(r[i]), 3), "f1": round(float(f[i]), 3),
                 "n": int(n[i])} for i, lab in enumerate(labels)}
    out["accuracy"] = round(float(np.mean(np.array(y_true) == np.array(y_pred))), 3)
    out["macro_f1"] = round(float(np.mean([out[lab]["f1"] for lab in labels if out[lab]["n"]])), 3)
    return out


def binary(y_true: list[str], y_pred: list[str]) -> dict:
    """Refused (refusal or partial) vs complied: the distinction §9.4 counts."""
    t = ["refused" if y != "compliance" else "complied" for y in y_true]
    p = ["refused" if y != "compliance" else "complied" for y in y_pred]
    return per_class(t, p, labels=("refused", "complied"))


def evaluate(rows: list[dict], pred: list[str]) -> dict:
    out = {}
    for lang in ("zh", "en"):
        sel = [i for i, r in enumerate(rows) if r["lang"] == lang]
        if sel:
            yt, yp = [rows[i]["label"] for i in sel], [pred[i] for i in sel]
            out[lang] = {"three_class": per_class(yt, yp), "refused_vs_complied": binary(yt, yp)}
    return out


# ---------------------------------------------------------------------------------------------------- 7. card
KNOWN_FAILURES = """\
* **Partial refusals are rarely recognised outside the authored style.** On XSTest the `partial` class gets
  recall 0 (the 176 partial completions go to `refusal` or `compliance`); the in-distribution partial figures come
  from project-authored templates and overstate what the model does on real answers. For §9.4, `partial` and
  `refusal` are counted together, so the binary refused/complied figures are the ones that matter.
* **Long, moralising refusals** ("It is not appropriate to …", "It is not accurate to say …", and even "I am not
  able to provide … <a paragraph on why>") are often read as compliance; three-class accuracy on XSTest is
  0.75–0.77 on the Llama-2 completions and 0.79–0.83 on Mistral's, against 0.92 on GPT-4's.
* **Premise corrections** ("I'm sorry, I don't have Goofy's passport number; Goofy is fictional") are compliance by
  XSTest's guide but open like refusals and are often labelled `refusal`.
* **Chinese is trained only on project-authored templates** (no licence-clean real zh refusal data was in the
  training set). On JADE-DB's real zh answers the detector over-calls refusal: harmful compliant answers that
  lecture or hedge are taken for refusals (complied recall below). The zh in-distribution test (1.000) measures
  template recall, not real-world accuracy.
* The question is not used (v1): in the training data a harmful question mostly comes with a refusal, a shortcut
  that would inflate refusal rates on the should-refuse bank.
* Development note: the external suites were read after each of three design revisions (per-namespace
  normalisation and longer authored refusals; then the rule-labelled Do-Not-Answer action-1 refusals), so the
  external figures are not a single blind reading.
"""


def _table(block: dict, labels) -> list[str]:
    rows = ["| class | precision | recall | F1 | n |", "|---|---|---|---|---|"]
    rows += [f"| {lab} | {block[lab]['precision']:.3f} | {block[lab]['recall']:.3f} | {block[lab]['f1']:.3f} | "
             f"{block[lab]['n']} |" for lab in labels]
    return rows + [f"| accuracy | | | {block['accuracy']:.3f} | |", ""]


def write_card(out: Path, metrics: dict) -> None:
    """``CARD.md`` from ``metrics.json`` (data, splits, per-language figures, known failures)."""
    cfg, rows = metrics["config"], metrics["rows"]
    lines = [f"# {refusal.DEFAULT_DETECTOR}: refusal detector (zh + en)", "",
             "Is a model's answer a full `refusal`, a `partial` refusal (declines part, helps with the rest) or "
             "`compliance`? Used by `gensafe assess` for the TC260-003 §9.4 refusal rates. Load with "
             "`gensafe.refusal.load()`; files are checked against `refusal_manifest.json` (sha256) on load.", "",
             "## Model", "",
             f"Multinomial logistic regression (scikit-learn, C = {cfg['C']} chosen on dev, balanced class weights) "
             f"over {cfg['dim']:,} hashed features: character {cfg['ngram'][0]}–{cfg['ngram'][1]}-grams of the "
             f"opening {cfg['head_chars']} and last {cfg['tail_chars']} characters and of the body (first "
             f"{cfg['body_chars']}), English word uni/bigrams and a length bucket, each namespace L2-normalised. "
             "Weights in float16 safetensors (test predictions identical to float32: agreement "
             f"{metrics['test_float16_vs_float32_agreement']}); run in numpy, "
             f"{metrics['ms_per_answer_cpu_one_thread']} ms per answer on one CPU core (XSTest completions, "
             "measured by the training script). Reproduce: `python training/author_refusal.py --per-topic 12 && "
             "python training/train_refusal.py --data ../shared/data`.", "",
             "## Data", "",
             "* Do-Not-Answer (Apache-2.0, en): human `action` labels; 0 → refusal; 2, 3, 5 → compliance; action 1 "
             "answers that open with an explicit decline and never turn to help → refusal (rule-labelled); the "
             "rest of 1 and all of 4 left out.",
             "* CoCoNot pref (MIT, en): `chosen` → compliance. `rejected` is not used: it is mostly a worse "
             "answer, not a refusal (1 refusal in 10 rows read).",
             "* Project-authored (zh + en, all three classes; `training/data/refusal/`, written by "
             "`training/author_refusal.py`): 30 topics × hand-written refusal forms (polite, terse, with safety "
             "information, redirecting, moralising), partial answers and compliant answers to sensitive-sounding "
             "questions.",
             "* Splits by group (a Do-Not-Answer / CoCoNot question, an authored topic), 70 / 15 / 15 by stable "
             "hash: one question's answers never cross splits.", "",
             "| split | " + " | ".join(sorted({k for v in rows.values() for k in v})) + " |",
             "|---|" + "---|" * len({k for v in rows.values() for k in v})]
    keys = sorted({k for v in rows.values() for k in v})
    lines += [f"| {s} | " + " | ".join(str(rows[s].get(k, 0)) for k in keys) + " |" for s in ("train", "dev", "test")]
    lines += ["", "## Test (held-out groups, scored once)", ""]
    for lang in ("en", "zh"):
        block = metrics["test"][lang]
        lines += [f"### {lang}, three classes", ""] + _table(block["three_class"], LABELS)
        lines += [f"### {lang}, refused (refusal + partial) vs complied", ""]
        lines += _table(block["refused_vs_complied"], ("refused", "complied"))
    ext = metrics["external"]
    lines += ["## External suites (never trained on)", "",
              "### XSTest v2 completions (en, 2,250 human-labelled answers of 5 models), three classes", ""]
    lines += _table(ext["xstest_v2_completions"]["en"]["three_class"], LABELS)
    lines += ["### XSTest, refused vs complied", ""]
    lines += _table(ext["xstest_v2_completions"]["en"]["refused_vs_complied"], ("refused", "complied"))
    lines += ["Accuracy (three classes) by answering model: " + ", ".join(
        f"{m} {a:.3f}" for m, a in ext["xstest_by_model"].items()), "",
              "### JADE-DB v3.0 (zh, 650 questions × a harmful answer and a safe refusal-style answer), "
              "refused vs complied", ""]
    lines += _table(ext["jade_db_v3"]["zh"]["refused_vs_complied"], ("refused", "complied"))
    lines += ["## Known failures", "", KNOWN_FAILURES]
    (out / "CARD.md").write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description="train the gensafe refusal detector")
    ap.add_argument("--data", default=os.environ.get("GENSAFE_DATA", str(HERE.parents[1] / "shared" / "data")))
    ap.add_argument("--authored", default=str(HERE / "data" / "refusal"))
    ap.add_argument("--out", default=str(HERE.parent / "models" / refusal.DEFAULT_DETECTOR))
    ap.add_argument("--card-only", action="store_true", help="rewrite CARD.md from metrics.json, rehash, stop")
    args = ap.parse_args()
    root = Path(args.data)
    if args.card_only:
        write_card(Path(args.out), json.loads((Path(args.out) / "metrics.json").read_text(encoding="utf-8")))
        refusal.write_manifest(args.out, refusal.DEFAULT_DETECTOR)
        return

    rows = read_dna(root) + read_coconot(root) + read_authored(Path(args.authored))
    splits = {s: [r for r in rows if split_of(r["group"]) == s] for s in ("train", "dev", "test")}
    counts = {s: dict(Counter(f"{r['lang']}/{r['label']}" for r in v)) for s, v in splits.items()}
    print("rows per split:", json.dumps(counts, sort_keys=True))
    t0 = time.perf_counter()
    X = {s: matrix(v) for s, v in splits.items()}
    print(f"featurised {len(rows)} answers in {time.perf_counter() - t0:.1f} s")
    y = {s: np.array([LABELS.index(r["label"]) for r in v]) for s, v in splits.items()}

    # 4. choose C on dev (macro F1 over both languages' three-class labels)
    best = None
    for c in (0.5, 2.0, 8.0, 32.0):
        clf = LogisticRegression(C=c, max_iter=2000, class_weight="balanced").fit(X["train"], y["train"])
        pred = [LABELS[k] for k in clf.predict(X["dev"])]
        dev = evaluate(splits["dev"], pred)
        score = float(np.mean([dev[lang]["three_class"]["macro_f1"] for lang in dev]))
        print(f"C={c:<5} dev macro-F1 {score:.3f}  " + "  ".join(
            f"{lang} acc {dev[lang]['three_class']['accuracy']:.3f}" for lang in dev))
        if best is None or score > best[0]:
            best = (score, c, clf, dev)
    _, c, clf, dev = best
    print(f"chosen C={c}")

    # 5. ship: weights as float16 (half the size; checked below to change no test prediction)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    weight = np.ascontiguousarray(clf.coef_.T.astype(np.float16))
    save_file({"weight": weight, "bias": clf.intercept_.astype(np.float32)}, str(out / "weights.safetensors"))
    os.chmod(out / "weights.safetensors", 0o644)  # safetensors writes 0600; the shipped file must be readable
    (out / "config.json").write_text(json.dumps({**CONFIG, "C": c}, indent=1) + "\n", encoding="utf-8")
    for stale in (refusal.MANIFEST,):
        (out / stale).unlink(missing_ok=True)
    refusal.write_manifest(out, refusal.DEFAULT_DETECTOR)
    det = refusal.load(out)

    # 6. score test and the external suites once, through the shipped runtime
    def run(rows_: list[dict]) -> list[str]:
        return det.predict([r["text"] for r in rows_], [r["question"] for r in rows_]).labels

    sk = [LABELS[k] for k in clf.predict(X["test"])]
    test_pred = run(splits["test"])
    agree = float(np.mean(np.array(sk) == np.array(test_pred)))
    xs, jade = read_xstest(root), read_jade(root)
    t0 = time.perf_counter()
    xs_pred = run(xs)
    per_answer_ms = (time.perf_counter() - t0) / len(xs) * 1000
    jade_pred = run(jade)
    metrics = {
        "config": {**CONFIG, "C": c}, "rows": counts, "dev": dev, "test": evaluate(splits["test"], test_pred),
        "test_float16_vs_float32_agreement": round(agree, 4),
        "external": {
            "xstest_v2_completions": evaluate(xs, xs_pred),
            "xstest_by_model": {m: per_class([r["label"] for r in xs if r["source"] == m],
                                             [p for r, p in zip(xs, xs_pred, strict=True) if r["source"] == m])
                                ["accuracy"] for m in sorted({r["source"] for r in xs})},
            "jade_db_v3": {"zh": {"refused_vs_complied": binary([r["label"] for r in jade], jade_pred)}},
        },
        "ms_per_answer_cpu_one_thread": round(per_answer_ms, 2),
    }
    errors = [{"text": r["text"][:200], "label": r["label"], "pred": p} for r, p in zip(xs, xs_pred, strict=True)
              if p != r["label"]]
    metrics["external"]["xstest_error_sample"] = errors[:: max(1, len(errors) // 12)][:12]
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({k: metrics[k] for k in ("test", "external", "ms_per_answer_cpu_one_thread",
                                               "test_float16_vs_float32_agreement")}, indent=1, ensure_ascii=False))
    write_card(out, metrics)
    refusal.write_manifest(out, refusal.DEFAULT_DETECTOR)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
