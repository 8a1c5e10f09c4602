"""The project's authored data (``training/data/authored/``): schema check, counts against the floors, near-duplicates.

Every file is JSONL, UTF-8, one item per line, named ``<risk>.<lang>.jsonl`` (``A.1.1.zh.jsonl``) or
``trivial.<lang>.jsonl``. Fields::

    text   the item                                     lang   zh | en
    label  harmful | benign                             risk   A.x.y (harmful under / topic shared) or "none"
    role   prompt | response | content                  form   statement, request, compliant-response, ...
    group  items written together or from one seed share a group (splits keep a group together)

Quality control (CARD.md reports the figures):

1. ``blind`` writes the items without their labels, shuffled, in batches, for a second, independent labelling pass;
2. ``agree`` reads that pass's labels (``{"id", "label", "risk"}`` per line), stores them under ``qc/``, reports
   agreement per risk and writes the disagreements for review;
3. ``apply`` applies the review (``{"id", "decision": "keep" | "relabel" | "drop", "label", "risk"}``): relabelled
   items are rewritten, dropped items removed, and the decisions kept under ``qc/`` so the pass can be audited.

Usage::

    python training/authored.py report [--dir training/data/authored]   # counts vs floors; exit 1 if one is missed
    python training/authored.py check FILE...                            # schema + near-duplicates of some files
    python training/authored.py blind --out runs/qc/blind [--files A.1.1.zh.jsonl ...]
    python training/authored.py agree runs/qc/labels/*.jsonl
    python training/authored.py apply training/data/authored/qc/review.jsonl
    python training/authored.py dedup [--shared ../shared/data]          # drop near-duplicates, log the rates
    python training/authored.py card                                     # writes CARD.md from the files and qc/
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import neardup  # noqa: E402

AUTHORED_DIR = Path(__file__).resolve().parent / "data" / "authored"
QC_DIR = AUTHORED_DIR / "qc"
LANGS = ("zh", "en")
LABELS = ("harmful", "benign")
ROLES = ("prompt", "response", "content")
FIELDS = ("text", "lang", "label", "risk", "role", "form", "group")
FLOOR_PER_RISK = 150  # harmful and benign items per risk and language
FLOOR_TRIVIAL = 1000  # everyday benign items per language
_RISK = re.compile(r"^A\.[1-5]\.[1-9]$")


def read(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, item) for every non-empty line; raises ValueError naming the line on bad JSON."""
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    yield n, json.loads(line)
                except json.JSONDecodeError as e:
                    raise ValueError(f"{path.name}:{n}: not JSON ({e.msg})") from None


def problems(item: dict[str, Any]) -> list[str]:
    """What is wrong with one item (empty when it is valid)."""
    out = [f"missing {k}" for k in FIELDS if k not in item]
    if out:
        return out
    if not isinstance(item["text"], str) or not item["text"].strip():
        out.append("empty text")
    if item["lang"] not in LANGS:
        out.append(f"lang {item['lang']!r}")
    if item["label"] not in LABELS:
        out.append(f"label {item['label']!r}")
    if item["role"] not in ROLES:
        out.append(f"role {item['role']!r}")
    if not (_RISK.match(str(item["risk"])) or (item["risk"] == "none" and item["label"] == "benign")):
        out.append(f"risk {item['risk']!r}")
    if not str(item["form"]).strip() or not str(item["group"]).strip():
        out.append("empty form or group")
    return out


def item_id(text: str) -> str:
    """Stable id of an item: the first 12 hex digits of the sha1 of its text."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def load(folder: Path | None = None) -> list[dict[str, Any]]:
    """Every item of every file in the folder (default: the authored folder), with ``file``, ``line`` and ``id``."""
    items = []
    for path in sorted((folder or AUTHORED_DIR).glob("*.jsonl")):
        for n, item in read(path):
            items.append({**item, "file": path.name, "line": n, "id": item_id(item["text"])})
    return items


def report(items: Iterable[dict[str, Any]]) -> tuple[str, list[str]]:
    """Markdown table of counts per risk × language × label, and the floors missed."""
    from gensafe.taxonomy import RISK_CODES

    c = Counter((i["risk"], i["lang"], i["label"]) for i in items)
    lines = ["| risk | zh harmful | zh benign | en harmful | en benign |", "|---|---:|---:|---:|---:|"]
    missed = []
    for code in RISK_CODES:
        cells = [c[(code, lang, lab)] for lang in LANGS for lab in LABELS]
        lines.append(f"| {code} | " + " | ".join(f"{v:,}" for v in cells) + " |")
        missed += [f"{code} {lang} {lab}: {c[(code, lang, lab)]} < {FLOOR_PER_RISK}"
                   for lang in LANGS for lab in LABELS if c[(code, lang, lab)] < FLOOR_PER_RISK]
    for lang in LANGS:
        n = c[("none", lang, "benign")]
        lines.append(f"| trivial / everyday ({lang}) | | {n:,} | | |" if lang == "zh" else
                     f"| trivial / everyday ({lang}) | | | | {n:,} |")
        if n < FLOOR_TRIVIAL:
            missed.append(f"trivial {lang}: {n} < {FLOOR_TRIVIAL}")
    return "\n".join(lines), missed


def blind(items: list[dict[str, Any]], out: Path, batch_size: int = 700, seed: int = 0) -> int:
    """Write the items without label, risk or form, shuffled, as ``out/batch-NN.jsonl``; returns the batch count."""
    rows = [{"id": i["id"], "lang": i["lang"], "role": i["role"], "text": i["text"]} for i in items]
    random.Random(seed).shuffle(rows)
    out.mkdir(parents=True, exist_ok=True)
    batches = [rows[k:k + batch_size] for k in range(0, len(rows), batch_size)]
    for b, batch in enumerate(batches):
        with open(out / f"batch-{b:02d}.jsonl", "w", encoding="utf-8") as f:
            f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in batch)
    return len(batches)


def second_pass() -> dict[str, dict[str, Any]]:
    """The stored second-pass labels (``qc/second_pass.jsonl``), by item id."""
    path = QC_DIR / "second_pass.jsonl"
    return {r["id"]: r for _, r in read(path)} if path.exists() else {}


def agreement(items: list[dict[str, Any]], labels: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Per risk (of the first label): items with a second label, label agreement, and risk agreement where both
    passes call an item harmful."""
    per: dict[str, Counter] = defaultdict(Counter)
    for i in items:
        second = labels.get(i["id"])
        if not second:
            continue
        c = per[i["risk"]]
        c["n"] += 1
        c["label_agree"] += second["label"] == i["label"]
        if i["label"] == "harmful" and second["label"] == "harmful":
            c["both_harmful"] += 1
            c["risk_agree"] += second.get("risk") == i["risk"]
    table = {code: {"n": c["n"], "label_agreement": c["label_agree"] / c["n"],
                    "risk_agreement": c["risk_agree"] / c["both_harmful"] if c["both_harmful"] else None}
             for code, c in sorted(per.items())}
    n = sum(c["n"] for c in per.values())
    return {"labelled": n, "items": len(items),
            "label_agreement": sum(c["label_agree"] for c in per.values()) / n if n else None, "per_risk": table}


def dedup(shared: Path | None) -> dict[str, Any]:
    """Drop near-duplicates (character 4-gram Jaccard ≥ 0.6): within the authored set (the later item of a pair goes)
    and against every row of the shared data's default build. Rewrites the files; returns the counts."""
    items = load()
    texts = [i["text"] for i in items]
    first: dict[str, int] = {}
    exact = set()  # exact duplicates after folding, symbol-only texts (emoji) included: n-grams cannot see those
    for k, t in enumerate(texts):
        if first.setdefault(neardup.exact_key(t), k) != k:
            exact.add(k)
    inner = {j for _, j, _ in neardup.pairs(texts)} | exact
    outer: set[int] = set()
    shared_rows = 0
    if shared:
        from sources import load_rows

        public = [r["text"] for r in load_rows(shared, "default") if r["source"] != "gensafe-authored"]
        shared_rows = len(public)
        outer = {i for i, _, _ in neardup.across(texts, public)}
    drop = {(items[k]["file"], items[k]["line"]) for k in inner | outer}  # by position: the first copy stays
    for path in sorted(AUTHORED_DIR.glob("*.jsonl")):
        kept = [item for n, item in read(path) if (path.name, n) not in drop]
        with open(path, "w", encoding="utf-8") as f:
            f.writelines(json.dumps(i, ensure_ascii=False) + "\n" for i in kept)
    stats = {"items_before": len(items), "within_authored": len(inner), "exact_within_authored": len(exact),
             "against_shared": len(outer),
             "shared_rows_compared": shared_rows, "dropped": len(drop), "items_after": len(items) - len(drop),
             "threshold": 0.6, "measure": "character 4-gram Jaccard after NFKC / case / punctuation folding"}
    QC_DIR.mkdir(parents=True, exist_ok=True)
    neardup.clear_cache()
    previous = json.loads((QC_DIR / "dedup.json").read_text()) if (QC_DIR / "dedup.json").exists() else None
    if previous and previous.get("items_before") != stats["items_before"]:
        stats["earlier_passes"] = [*previous.get("earlier_passes", []),
                                   {k: v for k, v in previous.items() if k != "earlier_passes"}]
    (QC_DIR / "dedup.json").write_text(json.dumps(stats, indent=1) + "\n")
    return stats


def before_review(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items as the second pass saw them: reviewed items (relabelled or dropped) carry their first label again,
    taken from ``qc/disagreements.jsonl``, so the agreement reported is the one measured before the review."""
    path = QC_DIR / "disagreements.jsonl"
    original = {r["id"]: r for _, r in read(path)} if path.exists() else {}
    out = [{**i, "label": original[i["id"]]["label"], "risk": original[i["id"]]["risk"]} if i["id"] in original else i
           for i in items]
    present = {i["id"] for i in items}
    return out + [r for k, r in original.items() if k not in present]


def card(items: list[dict[str, Any]]) -> str:
    """CARD.md: how the data was written and checked, counts, agreement, near-duplicate rates, biases, licence."""
    from gensafe.taxonomy import RISK_CODES

    agree = agreement(before_review(items), second_pass())
    dd = json.loads((QC_DIR / "dedup.json").read_text()) if (QC_DIR / "dedup.json").exists() else None
    passes = [*dd.get("earlier_passes", []), dd] if dd else []
    if dd:  # every pass so far, summed (items were added between passes)
        dd = {**dd, "items_before": passes[0]["items_before"],
              **{k: sum(p.get(k, 0) for p in passes) for k in ("within_authored", "against_shared", "dropped")}}
    review = list(read(QC_DIR / "review.jsonl")) if (QC_DIR / "review.jsonl").exists() else []
    decisions = Counter(r["decision"] for _, r in review)
    table, missed = report(items)
    forms: dict[str, Counter] = {lab: Counter() for lab in LABELS}
    for i in items:
        forms[i["label"]][i["form"]] += 1
    roles = Counter((i["label"], i["role"]) for i in items)
    lines = ["# Authored data card (`training/data/authored/`)", "",
             "Training data written by the gensafe project itself, for all 31 TC260-003 risks in Chinese and English: "
             "for every risk, harmful items beside benign items **on the same topic** (news, history, counter-speech, "
             "protective questions, refusals, homonyms, neutral mentions of groups, lawful criticism, fiction), plus "
             "everyday text (`trivial.*.jsonl`). It exists to teach harm rather than topic.", "",
             "The `contrast-*.{zh,en}.jsonl` files (added for v3) hold many risks each, written theme by theme where "
             "the v2 model failed: `groups` (plain, neutral mentions of groups beside stereotypes in the same "
             "register), `web` (comment threads on group topics, benign and harmful replies in one voice), `counter` "
             "(counter-speech, reports, moderation notes beside endorsements), `protective` (protective, victim and "
             "legal questions for all 31 risks beside their harmful twins) and `topics` (news, history, law "
             "explainers, debunks on A.1 / A.3 / A.4 / A.5 topics beside the harmful content). One imagined post, "
             "thread or seed is one `group`. Rows that near-duplicate a sentence of the golden test "
             "(`tests/data/golden.tsv`) are dropped by the data build; but the writers' brief quoted three golden "
             "sentences as examples of the failure (\"我们公司女员工比例是百分之四十。\", "
             "\"Our company is 40% women.\", "
             "\"如何举报网络诈骗？\") and some items paraphrase them, so for those themes the golden test is not "
             "independent evidence.", "",
             "The `contrast-short-*.{zh,en}.jsonl` files (added for v4) hold short minimal pairs for all 31 risks "
             "(Chinese mostly ≤ 20 characters, English mostly ≤ 15 words): a short harmful request, statement or "
             "compliant answer beside short benign items on the same topic (protective, reporting, legal and "
             "victim-help questions, counter-speech, refusals, harmless uses of a harmful word). Why: v3s flagged "
             "short protective questions and refusals while getting the longer authored ones right; its training "
             "data had short harmful questions on crime topics but few short benign ones. Their writers' brief "
             "(`qc/brief-short-writers.md`; labellers: `qc/brief-short-labellers.md`) quoted no golden sentence "
             "and its writers were told not to open `tests/`; "
             "it names the failure types the golden test and XSTest probe (short protective questions, refusals, "
             "counter-speech, homonyms), so gains there are weaker evidence than gains on public rows.", "",
             "## How it was written", "",
             "* Written from scratch by AI writing assistants (LLM agents) working for the project, one risk × "
             "language per file, from a written brief: varied forms, roles (prompt / response / content), lengths, "
             "registers (web slang, 谐音 and pinyin abbreviations, emoji, formal text, model answers) and targets; "
             "no copying from any dataset; no real private persons; harmful items recognisable but without "
             "operational detail. Items written together from one seed share a `group`, which the data build keeps "
             "in one split.",
             "* **Second, independent labelling pass**: another assistant labelled every item (harmful / benign and "
             "the risk) from the text alone, without seeing the first label (`authored.py blind`; its labels are in "
             "`qc/second_pass.jsonl`). Disagreements (`qc/disagreements.jsonl`) were reviewed and each item kept, "
             "relabelled or dropped (`qc/review.jsonl`: "
             + (", ".join(f"{k} {v}" for k, v in sorted(decisions.items())) or "none yet") + ").",
             "* **Near-duplicates removed** (`authored.py dedup`): "
             + (f"{dd['within_authored']:,} within the authored set and {dd['against_shared']:,} against the "
                f"{dd['shared_rows_compared']:,} rows of the shared data's default build (over "
                f"{len(passes)} passes, the last on {passes[-1]['items_before']:,} items); {dd['items_after']:,} "
                f"remain ({dd['measure']} ≥ {dd['threshold']}; exact duplicates, emoji included, count as "
                "near-duplicates)." if dd else "not run yet."), ""]
    lines += ["## Agreement of the two labelling passes (before review)", ""]
    if agree["labelled"]:
        lines += [f"{agree['labelled']:,} of {agree['items']:,} items labelled twice; harmful/benign agreement "
                  f"**{100 * agree['label_agreement']:.1f} %**.", "",
                  "| risk (first label) | items | label agreement % | same risk when both say harmful % |",
                  "|---|---:|---:|---:|"]
        for code, v in agree["per_risk"].items():
            ra = "—" if v["risk_agreement"] is None else f"{100 * v['risk_agreement']:.1f}"
            lines.append(f"| {code} | {v['n']:,} | {100 * v['label_agreement']:.1f} | {ra} |")
    else:
        lines.append("No second pass yet.")
    lines += ["", "## Counts per risk, language and label", "", table, ""]
    lines += ["Floors (≥ 150 harmful and ≥ 150 benign per risk and language; ≥ 1,000 everyday items per language): "
              + ("all met." if not missed else "missed — " + "; ".join(missed) + "."), ""]
    lines += ["## Forms and roles", "", "| label | forms |", "|---|---|"]
    for lab in LABELS:
        lines.append(f"| {lab} | " + ", ".join(f"{f} {n}" for f, n in forms[lab].most_common()) + " |")
    lines += ["", "| label | prompt | response | content |", "|---|---:|---:|---:|"]
    for lab in LABELS:
        lines.append(f"| {lab} | " + " | ".join(f"{roles[(lab, r)]:,}" for r in ROLES) + " |")
    lines += ["", "## Known biases and limits", "",
              "* It is written text: cleaner, more explicit and more evenly spread over forms than real user text; "
              "figures measured on authored test rows are reported apart from public rows for that reason "
              "(training/evaluate.py), and a gain that exists only there is not a result.",
              "* One family of writers (LLM assistants) wrote every item, so its phrasing habits are shared across "
              "files; the second pass was also an LLM assistant, so agreement measures consistency, not truth.",
              "* Many English items are adapted from the Chinese items of the same risk (same seed ideas): character "
              "n-gram deduplication cannot see a translation, but both languages of a seed are in separate files and "
              "groups, so a translation can sit in train while its original is in test.",
              "* Benign prompts are fewer than harmful prompts in several files (benign items lean to responses: "
              "refusals, explainers); news and statistics items are invented in a news style and are not facts.",
              "* Risk boundaries the standard leaves open (A.1.5 vs A.2.1, A.1.6 vs A.4.1, A.3.2 vs A.4.3) were "
              "resolved per item by the writers; the second pass disagrees on the exact risk more often than on "
              "harmful vs benign (table above).", "",
              "## Licence", "", "Apache-2.0, like the rest of gensafe: written by the project, no third-party text.",
              "", f"Regenerate this card: `python training/authored.py card` (counts: `python training/authored.py "
              f"report`; {len(RISK_CODES)} risks).", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("report", help="counts per risk × language × label against the floors")
    r.add_argument("--dir", type=Path, default=None, help="default: training/data/authored")
    ch = sub.add_parser("check", help="schema and within-file near-duplicates of the given files")
    ch.add_argument("files", nargs="+", type=Path)
    ch.add_argument("--threshold", type=float, default=0.6)
    bl = sub.add_parser("blind", help="write unlabelled, shuffled batches for the second labelling pass")
    bl.add_argument("--out", type=Path, required=True)
    bl.add_argument("--files", nargs="*", default=None, help="only these files of the folder (names)")
    bl.add_argument("--unlabelled-only", action="store_true", help="skip items the second pass already labelled")
    bl.add_argument("--batch-size", type=int, default=700)
    ag = sub.add_parser("agree", help="store second-pass labels, report agreement, write disagreements for review")
    ag.add_argument("labels", nargs="+", type=Path)
    ap = sub.add_parser("apply", help="apply review decisions to the authored files")
    ap.add_argument("review", type=Path)
    dd = sub.add_parser("dedup", help="drop near-duplicates within the set and against the shared data")
    dd.add_argument("--shared", type=Path, default=None, help="shared data folder (default: $GENSAFE_DATA)")
    sub.add_parser("card", help="write CARD.md")
    args = p.parse_args(argv)
    if args.cmd == "dedup":
        import os

        shared = args.shared or (Path(os.environ["GENSAFE_DATA"]) if os.environ.get("GENSAFE_DATA") else None)
        print(json.dumps(dedup(shared), indent=1))
        return 0
    if args.cmd == "card":
        (AUTHORED_DIR / "CARD.md").write_text(card(load()), encoding="utf-8")
        print(f"wrote {AUTHORED_DIR / 'CARD.md'}")
        return 0
    if args.cmd == "blind":
        items = [i for i in load() if args.files is None or i["file"] in args.files]
        if args.unlabelled_only:
            done = second_pass()
            items = [i for i in items if i["id"] not in done]
        print(f"{blind(items, args.out, args.batch_size)} batches of {len(items)} items in {args.out}")
        return 0
    if args.cmd == "agree":
        return _agree(args.labels)
    if args.cmd == "apply":
        return _apply(args.review)
    if args.cmd == "report":
        table, missed = report(load(args.dir))
        print(table)
        for m in missed:
            print("MISSED", m)
        return 1 if missed else 0
    bad = 0
    for path in args.files:
        items = list(read(path))
        for n, item in items:
            for prob in problems(item):
                print(f"{path.name}:{n}: {prob}")
                bad += 1
        texts = [i["text"] for _, i in items]
        for a, b, jac in neardup.pairs(texts, args.threshold):
            print(f"{path.name}: near-duplicate lines {items[a][0]} and {items[b][0]} (jaccard {jac:.2f})")
            bad += 1
        c = Counter(i["label"] for _, i in items)
        print(f"{path.name}: {len(items)} items, {c['harmful']} harmful, {c['benign']} benign, "
              f"{len({i['group'] for _, i in items})} groups, {len(Counter(i['form'] for _, i in items))} forms")
    return 1 if bad else 0


def _agree(files: list[Path]) -> int:
    items = load()
    known = {i["id"] for i in items}
    stored = second_pass()
    for path in files:
        for n, r in read(path):
            if r.get("id") not in known or r.get("label") not in LABELS:
                raise ValueError(f"{path.name}:{n}: unknown id or label: {r}")
            stored[r["id"]] = {"id": r["id"], "label": r["label"], "risk": r.get("risk", "none")}
    QC_DIR.mkdir(parents=True, exist_ok=True)
    with open(QC_DIR / "second_pass.jsonl", "w", encoding="utf-8") as f:
        f.writelines(json.dumps(stored[k], ensure_ascii=False) + "\n" for k in sorted(stored))
    report_ = agreement(items, stored)
    disagreements = [{**{k: i[k] for k in ("id", "file", "text", "label", "risk", "form")},
                      "second_label": stored[i["id"]]["label"], "second_risk": stored[i["id"]]["risk"]}
                     for i in items if i["id"] in stored and stored[i["id"]]["label"] != i["label"]]
    with open(QC_DIR / "disagreements.jsonl", "w", encoding="utf-8") as f:
        f.writelines(json.dumps(d, ensure_ascii=False) + "\n" for d in disagreements)
    print(json.dumps({k: v for k, v in report_.items() if k != "per_risk"}, indent=1))
    for code, v in report_["per_risk"].items():
        print(f"{code:6} n={v['n']:5d} label agreement {100 * v['label_agreement']:5.1f} %")
    print(f"{len(disagreements)} disagreements written to {QC_DIR / 'disagreements.jsonl'}")
    return 0


def _apply(review: Path) -> int:
    decisions = {r["id"]: r for _, r in read(review)}
    changed = Counter()
    for path in sorted(AUTHORED_DIR.glob("*.jsonl")):
        kept = []
        for _, item in read(path):
            d = decisions.get(item_id(item["text"]))
            if d and d["decision"] == "drop":
                changed["dropped"] += 1
                continue
            if d and d["decision"] == "relabel":
                item = {**item, "label": d["label"], "risk": d.get("risk", item["risk"])}
                changed["relabelled"] += 1
            kept.append(item)
        with open(path, "w", encoding="utf-8") as f:
            f.writelines(json.dumps(i, ensure_ascii=False) + "\n" for i in kept)
    QC_DIR.mkdir(parents=True, exist_ok=True)
    log = QC_DIR / "review.jsonl"
    if review.resolve() != log.resolve():
        previous = {r["id"]: r for _, r in read(log)} if log.exists() else {}
        previous.update(decisions)
        with open(log, "w", encoding="utf-8") as f:
            f.writelines(json.dumps(previous[k], ensure_ascii=False) + "\n" for k in sorted(previous))
    print(dict(changed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
