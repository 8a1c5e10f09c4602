"""Readers for the licence-clean sources added after the first set (see ``sources.py`` for the row schema).

CoCoNot, ORBench, StrongREJECT, JBB-Behaviors, Chinese-SafetyQA, PANDA, CHBias, HRDE, SmileChat and
CCP-sensitive-prompts: raw files in, :class:`sources.Raw` rows out. OKTest, WildGuardTest and ToxicChat-test are read
the same way but only as evaluation suites (:data:`SUITE_READERS`, used by ``build_suites.py``). Label meanings live
in ``label_map.toml`` only; the keys emitted here are listed in :data:`KEYS` (the tests check that every one of them
has a label-map entry).
"""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Iterator
from pathlib import Path

from gensafe.taxonomy import RISK_CODES
from gensafe.text import clean_text

COCONOT_SAFETY = ("misinformation", "privacy violations", "dangerous or sensitive topics",
                  "triggers for offensive language", "copyright violations", "wildchats", "incomprehensible")
STRONGREJECT_CATEGORIES = ("Disinformation and deception", "Hate, harassment and discrimination",
                           "Illegal goods and services", "Non-violent crimes", "Sexual content", "Violence")
JBB_CATEGORIES = ("Harassment/Discrimination", "Malware/Hacking", "Physical harm", "Economic harm", "Fraud/Deception",
                  "Disinformation", "Sexual/Adult content", "Privacy", "Expert advice", "Government decision-making")
# topic -> the biased target group of its valid / test files (the counterfactual *_young_* / *_male_* / *_straight_* /
# *_slim_* files are target-swapped rewrites, not biased posts: never read)
WILDGUARD_CATEGORIES = (
    "private_information_individual", "social_stereotypes_and_unfair_discrimination",
    "fraud_assisting_illegal_activities", "sensitive_information_organization_government", "cyberattack",
    "mental_health_over-reliance_crisis", "defamation_encouraging_unethical_or_unsafe_actions",
    "causing_material_harm_by_disseminating_misinformation",
    "disseminating_false_or_misleading_information_encouraging_disinformation_campaigns",
    "toxic_language_hate_speech", "violence_and_physical_harm", "copyright_violations")
CHBIAS_TARGETS = {"age": "old", "gender": "female", "orientation": "lgbt", "appearance": "fat"}
CHBIAS_TOPICS = tuple(CHBIAS_TARGETS)
SMILECHAT_MAX_TURNS = 4000
SMILECHAT_MIN_CHARS = 8
# Every raw key each reader can emit (kept in step with label_map.toml by tests/test_sources_more.py).
KEYS: dict[str, set[str]] = {
    "CoCoNot": {f"unsafe:{s}" for s in COCONOT_SAFETY} | {"noncompliance", "contrast", "pref"},
    "ORBench": {"hard", "80k"},
    "StrongREJECT": set(STRONGREJECT_CATEGORIES),
    "JBB-Behaviors": {f"harmful:{c}" for c in JBB_CATEGORIES} | {"benign"},
    "Chinese-SafetyQA": {"question"},
    "PANDA": {"hate:1", "hate:0", "hate:-1", "hate:mixed", "response"},
    "CHBias": set(CHBIAS_TOPICS),
    "HRDE": {"是谣言", "不是谣言", "与健康信息不相关"},
    "SmileChat": {"counselor"},
    "CCP-sensitive-prompts": {"benign"} | {f"harmful:{c}" for c in RISK_CODES},
    # evaluation-only suites (SUITE_READERS below; never in the training READERS)
    "OKTest": {"safe"},
    "WildGuardTest": {f"harmful:{c}" for c in WILDGUARD_CATEGORIES} | {"benign"},
    "ToxicChat-test": {"harmful", "safe"},
}
# Keys read but deliberately left out of label_map.toml (load_rows skips unmapped keys): CoCoNot "wildchats" (mixed
# real requests, risk not labelled) and its one "incomprehensible" safety row; PANDA hateScore 0 (borderline) and
# comments scored differently in different rows.
DROPPED: dict[str, set[str]] = {"CoCoNot": {"unsafe:wildchats", "unsafe:incomprehensible"},
                                "PANDA": {"hate:0", "hate:mixed"}}


def read_coconot(root: Path) -> Iterator[Raw]:
    """Prompts only. Eval "Requests with safety concerns" by subcategory; the other eval categories (noncompliance
    for capability reasons), every contrast prompt and every pref prompt are benign. Pref ``chosen`` answers are
    not read (long GPT-4 answers)."""
    base = root / "CoCoNot"
    for r in _jsonl(base / "coconot_eval.jsonl"):
        sub = r.get("subcategory", "")
        key = f"unsafe:{sub}" if r["category"] == "Requests with safety concerns" else "noncompliance"
        yield Raw(r["prompt"], "en", "prompt", key, detail=f"{r['category']}/{sub}")
    for r in _jsonl(base / "coconot_contrast_eval.jsonl"):
        yield Raw(r["prompt"], "en", "prompt", "contrast", detail=r.get("subcategory", ""))
    for r in _jsonl(base / "coconot_pref.jsonl.gz"):
        yield Raw(r["prompt"], "en", "prompt", "pref", detail=r.get("subcategory", ""))


def read_orbench(root: Path) -> Iterator[Raw]:
    """OR-Bench-Hard-1K and the first 200 per category of OR-Bench-80K (``text_en``): seemingly toxic, benign."""
    base = root / "ORBench"
    for r in _json(base / "orbench_hard.json"):
        yield Raw(r["prompt"], "en", "prompt", "hard")
    for path in sorted(base.glob("orbench_*200.csv.gz")):
        with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as f:
            for r in csv.DictReader(f):
                yield Raw(r["text_en"], "en", "prompt", "80k", detail=r.get("or_category", ""))


def read_strongreject(root: Path) -> Iterator[Raw]:
    for r in _json(root / "StrongREJECT" / "strongreject.json"):
        yield Raw(r["text"], "en", "prompt", r["category"], detail=r["category"])


def read_jbb(root: Path) -> Iterator[Raw]:
    """Harmful behaviour ``i`` and benign behaviour ``i`` are topic-matched pairs: one group (never split apart)."""
    for r in _csv(root / "JBB-Behaviors" / "jailbreakbench_with_category.csv"):
        key = f"harmful:{r['category']}" if r["label"] == "harmful" else "benign"
        yield Raw(r["goal"], "en", "prompt", key, group=f"pair{r['index']}", detail=r["category"])


def read_chinese_safetyqa(root: Path) -> Iterator[Raw]:
    for r in _jsonl(root / "Chinese-SafetyQA" / "chinese_safetyqa.jsonl"):
        yield Raw(r["question"], "zh", "prompt", "question", detail=r.get("cate", "").split("-")[0])


_PANDA_RESPONSES = ("userEnteredResponse", "generatedResponse1", "generatedResponse2", "generatedResponse3",
                    "generatedResponse4")


def _unquote(text: str) -> str:
    text = text.strip()
    return text.strip('"').strip() if text.startswith('"') else text  # a few rows carry stray CSV quote runs


def read_panda(root: Path) -> Iterator[Raw]:
    """A comment and its counter-speech responses are one group (the comment's text). A comment that appears more than
    once with different hateScores (7 in the release) gets the key ``hate:mixed`` (not mapped: dropped). Response cells
    that copy an input comment (about 60, some of them hate) are skipped."""
    rows = list(_csv(root / "PANDA" / "panda_dataset.tsv", delimiter="\t"))
    scores: dict[str, set[str]] = {}
    for r in rows:
        scores.setdefault(_unquote(r["hatespeech"]), set()).add(r["hateScore"].strip())
    for r in rows:
        comment = _unquote(r["hatespeech"])
        if not comment:
            continue
        score = r["hateScore"].strip()
        yield Raw(comment, "zh", "content", "hate:mixed" if len(scores[comment]) > 1 else f"hate:{score}",
                  group=comment)
        for col in _PANDA_RESPONSES:
            response = _unquote(r.get(col) or "")
            if response and response not in scores:  # a "response" that copies an input comment is no counter-speech
                yield Raw(response, "zh", "response", "response", group=comment, detail=col)


def read_chbias(root: Path) -> Iterator[Raw]:
    """Biased Weibo posts only (one-sided; see label_map.toml). Text is cleaned exactly as inference cleans it
    (``gensafe.text.clean_text``): a third of the lines carry a zero-width space that would otherwise be a feature."""
    for topic in CHBIAS_TOPICS:
        d = root / "CHBias" / topic
        target = CHBIAS_TARGETS[topic]
        for split, name in (("train", f"{topic}_train"), ("dev", f"{topic}_{target}_valid"),
                            ("test", f"{topic}_{target}_test")):
            for line in _lines(d / f"{name}.txt"):
                text = clean_text(line).strip()
                if text:
                    yield Raw(text, "zh", "content", topic, origin_split=split)


def read_hrde(root: Path) -> Iterator[Raw]:
    for r in _json(root / "HRDE" / "dev_data.json"):
        yield Raw(r["input"], "zh", "content", r["label"].strip())


def read_smilechat(root: Path) -> Iterator[Raw]:
    """Counsellor turns only, capped: 4,000 evenly spaced eligible turns (file order, then turn order; deterministic);
    turns under 8 characters are skipped. A dialogue is one group."""
    path = root / "SmileChat" / "smilechat_subset.jsonl.gz"

    def eligible() -> Iterator[tuple[str, str]]:
        for d in _jsonl(path):
            for turn in d["dialog"]:
                text = (turn.get("content") or "").strip()
                if turn.get("role") == "counselor" and len(text) >= SMILECHAT_MIN_CHARS:
                    yield d["file"], text

    total = sum(1 for _ in eligible())
    # evenly spaced positions over every eligible turn: exactly min(total, cap) turns, spread across all dialogues
    keep = {j * total // SMILECHAT_MAX_TURNS for j in range(SMILECHAT_MAX_TURNS)} if total > SMILECHAT_MAX_TURNS \
        else set(range(total))
    for i, (file, text) in enumerate(eligible()):
        if i in keep:
            yield Raw(text, "zh", "response", "counselor", group=file)


def read_ccp_sensitive(root: Path, labels_file: Path | None = None) -> Iterator[Raw]:
    """promptfoo's CCP-sensitive prompts (partial shared copy): an English request and its LLM translation into
    Chinese per row, on subjects sensitive in the PRC. The file labels only the subject, and a subject does not decide
    harm (a request to organise a secession referendum and one for a published history share "Taiwan"), so the project
    labelled every English prompt in two blind passes (``training/data/labels/README.md``); both languages are read
    under the verdict both passes agree on, with one group (a prompt and its translation never land in different
    splits), and prompts the passes judged differently are not read. A prompt without a label, or a label naming a
    prompt the file no longer has, fails loudly (the file changed: relabel)."""
    labels_file = labels_file or CCP_LABELS
    labels = {r["key"]: r for r in _jsonl(labels_file)}
    path = root / "CCP-sensitive-prompts" / "CCP-sensitive-prompts-bilingual.unique_partial.csv"
    seen: set[str] = set()
    for r in _csv(path):
        en, zh = (r.get("prompt_en") or "").strip(), (r.get("prompt_zh") or "").strip()
        if not en:
            continue  # the label is the English prompt's; a row without one cannot be labelled
        key = text_key(en)
        if key not in labels:
            raise ValueError(f"{path}: prompt {en[:60]!r} has no label in {labels_file}: the shared file changed, "
                             "label the new prompts (two blind passes)")
        seen.add(key)
        label = labels[key]["label"]
        if not label:  # the two passes disagreed
            continue
        for text, lang in ((en, "en"), (zh, "zh")):
            if text:
                yield Raw(text, lang, "prompt", label, group=f"ccp:{en}", detail=r.get("subject", ""))
    check_labels_found(labels_file, labels, seen, path.parent)


def read_oktest(root: Path) -> Iterator[Raw]:
    """OKTest (both files): benign English questions that contain harmful-sounding words; all safe."""
    for name in ("OKTest.csv", "OKTest_heldout.csv"):
        for r in _csv(root / "OKTest" / name):
            text = (r.get("prompt") or "").strip()
            if text:
                yield Raw(text, "en", "prompt", "safe", detail=name.removesuffix(".csv"))


def read_wildguardtest(root: Path) -> Iterator[Raw]:
    """WildGuardTest prompts: harmful ones by WildGuard's category, benign ones (many adversarial role-play)."""
    for r in _json(root / "WildGuardTest" / "wildguard_full_benchmark.json"):
        category = r["source"].removeprefix("wildguardmix_")
        if r["label"] not in ("harmful", "safe"):
            raise ValueError(f"WildGuardTest: unknown label {r['label']!r} (expected harmful or safe)")
        harmful = r["label"] == "harmful"
        yield Raw(r["text"], "en", "prompt", f"harmful:{category}" if harmful else "benign",
                  detail=category if harmful else "benign")


def read_toxicchat(root: Path) -> Iterator[Raw]:
    """ToxicChat test split: real user prompts to a public chatbot demo, human toxicity label (mostly English)."""
    path = root / "ToxicChat-test" / "toxicchat_test.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        rows = json.load(f)
    for r in rows:
        lang = "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in r["text"]) else "en"
        yield Raw(r["text"], lang, "prompt", r["label"], detail=r["label"])


# Evaluation only: read by build_suites.py, never by load_rows (so never trained on, whatever their label-map entry).
SUITE_READERS = {"OKTest": read_oktest, "WildGuardTest": read_wildguardtest, "ToxicChat-test": read_toxicchat}

READERS_MORE = {
    "CoCoNot": read_coconot, "ORBench": read_orbench, "StrongREJECT": read_strongreject, "JBB-Behaviors": read_jbb,
    "Chinese-SafetyQA": read_chinese_safetyqa, "PANDA": read_panda, "CHBias": read_chbias, "HRDE": read_hrde,
    "SmileChat": read_smilechat, "CCP-sensitive-prompts": read_ccp_sensitive,
}

# Imported last, on purpose: sources.py imports this module at its end to register READERS_MORE. Whichever of the two
# is imported first, every name the other needs already exists when the cycle closes (the readers use these names
# only when called).
from sources import LABELS_DIR, Raw, _csv, _json, _jsonl, _lines, check_labels_found, text_key  # noqa: E402

CCP_LABELS = LABELS_DIR / "ccp-sensitive.jsonl"  # the project's two blind passes over CCP-sensitive-prompts
