"""Readers for every dataset in ``shared/data``: raw files in, one row schema out.

Each reader yields :class:`Raw` rows (text, language, role, raw label key). :func:`load_rows` turns them into the
training schema with the label map in ``label_map.toml`` (the only place label meanings live)::

    {"text", "lang", "role", "labels", "known", "source", "licence", "build", "origin_split"}

``labels`` are risk codes (empty = safe); ``known`` the risks the row speaks to (see label_map.toml);
``role`` is ``prompt`` (a user's request), ``response`` (a model's answer) or ``content`` (user-generated text).

Example:
    >>> rows = list(load_rows("/path/to/shared/data", build="default"))   # doctest: +SKIP
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gensafe.taxonomy import RISK_CODES, RISKS
from gensafe.tomlfile import load_toml

LABEL_MAP_PATH = Path(__file__).with_name("label_map.toml")
BUILDS = ("default", "research")


@dataclass
class Raw:
    text: str
    lang: str
    role: str
    key: str
    hint: str = ""  # extra text used only to infer a discrimination target group
    origin_split: str = ""
    # Rows that share a group never cross splits: a template with its target groups, one question with its answers
    # or translations, one dialogue context, one statute. Empty = the row is its own group (its normalised text).
    group: str = ""
    detail: str = ""  # the source's own sub-category, kept for per-category reports (HateCheck functionality, ...)


# -- small file helpers ----------------------------------------------------------------------------------------------
def _csv(path: Path, encoding: str = "utf-8-sig", **kw: Any) -> Iterator[dict[str, str]]:
    csv.field_size_limit(1 << 30)
    with open(path, encoding=encoding, newline="") as f:
        yield from csv.DictReader(f, **kw)


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def _lines(path: Path, encoding: str = "utf-8-sig") -> Iterator[str]:
    with open(path, encoding=encoding) as f:
        for line in f:
            if line.strip():
                yield line.rstrip("\n")


# -- readers ----------------------------------------------------------------------------------------------------------
def read_cold(root: Path) -> Iterator[Raw]:
    for name in ("train", "dev", "test"):
        for r in _csv(root / "COLDataset" / f"{name}.csv"):
            key = "0" if r["label"] == "0" else f"1:{r['topic']}"
            yield Raw(r["TEXT"], "zh", "content", key, origin_split=name)


def read_swsr(root: Path) -> Iterator[Raw]:
    for r in _csv(root / "SWSR" / "SexComment.csv"):
        key = "0" if r["label"] == "0" else ("1:SO" if r["category"] == "SO" else "1")
        yield Raw(r["comment_text"], "zh", "content", key)


def read_jade(root: Path) -> Iterator[Raw]:
    base = root / "JADE-DB"
    category: dict[str, list[str]] = {}
    files = [("jade-db-v1.0/jade_benchmark_zh.csv", "zh"), ("jade-db-v1.0/jade_benchmark_en.csv", "en"),
             ("jade-db-v2.0/jade_benchmark_easy_zh.csv", "zh"), ("jade-db-v2.0/jade_benchmark_medium_zh.csv", "zh")]
    for rel, lang in files:
        for r in _csv(base / rel):
            kind = r["违规类型"].strip()
            keys = [s.strip() for s in r["违规子类"].split("|") if s.strip()]
            keys = [f"{kind}:其他" if k == "其他" else k for k in keys]
            category[r["问题"]] = keys
            for k in keys:
                yield Raw(r["问题"], lang, "prompt", k, group=r["问题"])
    for rel in ("jade-db-v3.0/jade_alignment_hard_zh.csv", "jade-db-v3.0/jade_alignment_medium_zh.csv"):
        for r in _csv(base / rel, encoding="gb18030"):
            for k in category.get(r["问题"], []):
                yield Raw(r["违规回答"], "zh", "response", k, hint=r["问题"], group=r["问题"])
            yield Raw(r["安全有用回答"], "zh", "response", "safe_response", group=r["问题"])


def read_flames(root: Path) -> Iterator[Raw]:
    for r in _jsonl(root / "Flames" / "Flames_1k_Chinese.jsonl"):
        yield Raw(r["prompt"], "zh", "prompt", f"{r['dimension']}/{r['subcomponent']}")


def read_safetybench(root: Path) -> Iterator[Raw]:
    base = root / "SafetyBench"
    answers = _json(base / "test_answers_zh_subset.json")
    for item in _json(base / "test_zh_subset.json"):
        if item["category"] not in ("Offensiveness", "Unfairness and Bias") or len(item["options"]) != 2:
            continue
        first, _, text = item["question"].partition("\n")
        if not re.search(r"攻击性|偏见", first) or not text.strip():
            continue  # dialogues and comparisons carry no per-text label
        answer = answers[str(item["id"])]["answer"]
        yield Raw(text.strip(), "zh", "content", f"{item['category']}:{'yes' if answer == 0 else 'no'}")


def read_multijail(root: Path) -> Iterator[Raw]:
    import ast

    for r in _csv(root / "MultiJail" / "MultiJail.csv"):
        for tag in ast.literal_eval(r["tags"]):
            for lang in ("en", "zh"):  # a prompt and its translation are one group
                yield Raw(r[lang], lang, "prompt", tag, group=r["id"])


def read_halluqa(root: Path) -> Iterator[Raw]:
    for path in sorted((root / "HalluQA" / "Chinese_LLMs_outputs" / "open_generation").glob("*.json")):
        for r in _json(path):
            if isinstance(r.get("response"), str):
                yield Raw(r["response"], "zh", "response", "response", group=str(r.get("question_id", "")))


def read_halueval(root: Path) -> Iterator[Raw]:
    for r in _jsonl(root / "HaluEval" / "general_data.json"):
        yield Raw(r["chatgpt_response"], "en", "response", "response", group=str(r.get("ID", "")))


def read_xstest(root: Path) -> Iterator[Raw]:
    for r in _csv(root / "XSTest" / "xstest_prompts.csv"):
        yield Raw(r["prompt"], "en", "prompt", "safe" if r["label"] == "safe" else r["type"], hint=r["focus"],
                  group=r["focus"], detail=r["type"])


def text_key(text: str) -> str:
    """A short, stable key of a text: the project's label files name shared rows by it and never copy the text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


LABELS_DIR = Path(__file__).resolve().parent / "data" / "labels"  # the project's labels for shared rows (README.md)
DIASAFETY_LABELS = LABELS_DIR / "diasafety.jsonl"
HH_LABELS = LABELS_DIR / "hh-rlhf-harmless.jsonl"


def check_labels_found(labels_file: Path, labels: dict[str, Any], seen: set[str], where: Path) -> None:
    """Every text a project label file names was read from the shared file: else that file changed (relabel)."""
    missing = set(labels) - seen
    if missing:
        raise ValueError(f"{labels_file}: {len(missing)} labelled texts are not in {where} (e.g. key "
                         f"{sorted(missing)[0]}): the shared file changed")


def read_diasafety(root: Path, labels_file: Path | None = None) -> Iterator[Raw]:
    """Safe replies (key ``Safe``), and the Offending User / Biased Opinion replies that both of the project's blind
    passes judged harmful read alone (keys ``Offending User, harmful alone`` and ``Biased Opinion, harmful alone``;
    ``training/data/labels/README.md``): DiaSafety labels a reply given its dialogue context, which gensafe does not
    see. Unsafe replies not judged harmful alone are not read (neither label fits them). Whether the judged-harmful
    replies are trained on is label_map.toml's choice: the default build leaves their keys unmapped (they lost on dev,
    ``training/results/v6_dev.md``), so it is the build the default model was trained on."""
    labels_file = labels_file or DIASAFETY_LABELS
    labels = {r["key"]: r for r in _jsonl(labels_file)}
    seen: set[str] = set()
    for name in ("train", "val", "test"):
        for r in _json(root / "DiaSafety" / f"{name}.json"):
            if r["label"] == "Safe":
                yield Raw(r["response"], "en", "response", "Safe", origin_split=name, group=r["context"])
            elif r["category"] in ("Offending User", "Biased Opinion"):
                key = text_key(r["response"])
                seen.add(key)
                if labels.get(key, {}).get("harmful_alone") == 1:
                    yield Raw(r["response"], "en", "response", f"{r['category']}, harmful alone", hint=r["context"],
                              origin_split=name, group=r["context"])
    check_labels_found(labels_file, labels, seen, root / "DiaSafety")


def read_hatecheck(root: Path) -> Iterator[Raw]:
    for r in _csv(root / "HateCheck" / "test_suite_cases.csv"):
        key = r["target_ident"] if r["label_gold"] == "hateful" else "non-hateful"
        # a template is written out once per target group: the template is the group
        yield Raw(r["test_case"].strip(), "en", "content", key, group=r["templ_id"], detail=r["functionality"])


def read_davidson(root: Path) -> Iterator[Raw]:
    for r in _csv(root / "davidson-hate-offensive" / "labeled_data.csv"):
        yield Raw(r["tweet"], "en", "content", r["class"])


def read_edos(root: Path) -> Iterator[Raw]:
    for r in _csv(root / "EDOS" / "edos_labelled_aggregated.csv"):
        key = r["label_sexist"]
        if key == "sexist":
            if r["label_category"].startswith("1."):
                key = "sexist:threat"
            elif r["label_vector"].startswith("2.3"):
                key = "sexist:objectification"
        yield Raw(r["text"], "en", "content", key, origin_split=r["split"])


def read_do_not_answer(root: Path) -> Iterator[Raw]:
    models = ("GPT4", "ChatGPT", "Claude", "ChatGLM2", "llama2-7b-chat", "vicuna-7b")
    for r in _csv(root / "Do-Not-Answer" / "data_en.csv"):
        harm, hint = r["types_of_harm"], r["specific_harms"]
        yield Raw(r["question"], "en", "prompt", harm, hint=hint, group=r["id"])
        for m in models:
            response = r.get(f"{m}_response") or ""
            if not response.strip():
                continue
            yield Raw(response, "en", "response", harm if r[f"{m}_harmful"] == "1" else "safe_response", hint=hint,
                      group=r["id"])


def read_simple_safety(root: Path) -> Iterator[Raw]:
    for r in _csv(root / "SimpleSafetyTests" / "SimpleSafetyTests - test cases.csv"):
        yield Raw(r["prompts_final"], "en", "prompt", r["harm_area"])


def read_deccp(root: Path) -> Iterator[Raw]:
    censored = set(_lines(root / "deccp" / "censored.txt"))
    for q in sorted(censored):
        yield Raw(q, "en", "prompt", "censored")
    for q in _lines(root / "deccp" / "uncensored.txt"):
        if q not in censored:
            yield Raw(q, "en", "prompt", "uncensored")


def read_lawrefbook(root: Path) -> Iterator[Raw]:
    for r in _jsonl(root / "LawRefBook-Laws" / "laws_articles.jsonl.gz"):
        if r["text"].strip() and not r["category"].startswith("案例"):  # case write-ups are unverified editorial text
            yield Raw(r["text"], "zh", "content", "article", group=r.get("law") or r.get("source_file", ""))


def read_medical(root: Path) -> Iterator[Raw]:
    path = next((root / "Chinese-medical-dialogue").glob("*.csv.gz"))
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            yield Raw(r["ask"], "zh", "prompt", "ask", group=r["ask"])
            yield Raw(r["answer"], "zh", "response", "answer", group=r["ask"])


def read_copyright(root: Path) -> Iterator[Raw]:
    base = root / "copyright-evals"
    for r in _csv(base / "prompt-test-set.csv"):
        yield Raw(r["Prompt"], "en", "prompt", "prompt", group=r["Prompt"].strip())
    for path in sorted((base / "results").glob("*-results.csv")):
        for r in _csv(path):
            response = next(v for k, v in r.items() if k not in ("Prompt", "Label"))
            yield Raw(response, "en", "response", f"response:{r['Label'].strip()}", group=r["Prompt"].strip())


def read_cvalues(root: Path) -> Iterator[Raw]:
    for r in _jsonl(root / "CValues" / "cvalues_responsibility_prompts.jsonl"):
        yield Raw(r["prompt"], "zh", "prompt", r["domain_en"])


def read_hh_rlhf(root: Path, labels_file: Path | None = None) -> Iterator[Raw]:
    """First human turn of each red-team dialogue (each distinct turn once), labelled by the project: two blind
    passes (``training/data/labels/README.md``); turns the two passes judged differently are not read. A label
    naming a turn the shared file no longer has fails loudly (the file changed: relabel)."""
    labels_file = labels_file or HH_LABELS
    labels = {r["key"]: r for r in _jsonl(labels_file)}
    seen: set[str] = set()
    for pair, r in enumerate(_jsonl(root / "hh-rlhf-harmless" / "harmless-base_test.jsonl.gz")):
        first = r["chosen"].split("\n\nHuman: ", 1)[-1].split("\n\nAssistant:", 1)[0].strip()
        key = text_key(first)
        if key in seen:
            continue
        seen.add(key)
        label = labels.get(key, {}).get("label")
        if label:  # agreed by both passes
            yield Raw(first, "en", "prompt", label, group=f"pair{pair}")
    check_labels_found(labels_file, labels, seen, root / "hh-rlhf-harmless")


# research build -------------------------------------------------------------------------------------------------------
def read_chineseharm(root: Path) -> Iterator[Raw]:
    for r in _json(root / "ChineseHarm-bench" / "bench.json"):
        yield Raw(r["文本"], "zh", "content", r["标签"])


def read_seval(root: Path) -> Iterator[Raw]:
    for lang in ("zh", "en"):
        for r in _jsonl(root / "S-Eval" / f"S-Eval_base_risk_{lang}_full.jsonl.gz"):
            yield Raw(r["prompt"], lang, "prompt", r["risk_type"])


def read_xsafety(root: Path) -> Iterator[Raw]:
    for lang in ("zh", "en"):
        for path in sorted((root / "XSafety" / lang).glob("*.csv")):
            key = re.sub(r"(_n|_en)$", "", path.stem)
            with open(path, encoding="utf-8-sig", newline="") as f:
                for row in csv.reader(f):
                    if row and row[0].strip():
                        yield Raw(row[0], lang, "prompt", key)


def read_weibo21(root: Path) -> Iterator[Raw]:
    for name in ("train", "val", "test"):
        for r in _csv(root / "Weibo21" / f"{name}.csv"):
            yield Raw(r["content"], "zh", "content", r["label"], origin_split=name)


def read_checked(root: Path) -> Iterator[Raw]:
    for name in ("train", "dev", "test"):
        for line in _lines(root / "CHECKED" / f"new_{name}.txt"):
            text, _, label = line.rpartition("\t")
            yield Raw(text, "zh", "content", label.strip(), origin_split=name)


def read_ced(root: Path) -> Iterator[Raw]:
    for r in _jsonl(root / "CED_Dataset" / "original-microblog.jsonl.gz"):
        yield Raw(r["text"], "zh", "content", r["label"])


def read_sdcnl(root: Path) -> Iterator[Raw]:
    for r in _csv(root / "SDCNL" / "sdcnl_posts.csv"):
        yield Raw(f"{r['title']}\n{r['selftext']}".strip(), "en", "content", r["is_suicide"], origin_split=r["split"])


def read_tweeteval(root: Path) -> Iterator[Raw]:
    for task in ("hate", "offensive"):
        for name in ("train", "val", "test"):
            d = root / "TweetEval-hate-offensive" / task
            texts = (d / f"{name}_text.txt").read_text(encoding="utf-8").splitlines()
            labels = (d / f"{name}_labels.txt").read_text(encoding="utf-8").split()
            for t, lab in zip(texts, labels, strict=True):
                yield Raw(t, "en", "content", f"{task}:{lab}", origin_split=name)


def read_thucnews(root: Path) -> Iterator[Raw]:
    for name in ("dev", "test"):
        for line in _lines(root / "THUCNews-titles" / f"{name}.txt"):
            yield Raw(line.split("\t")[0], "zh", "content", "title")


def read_multipriv(root: Path) -> Iterator[Raw]:
    for name, lang in (("data_person_1000.json", "en"), ("data_person_1000_zh.json", "zh")):
        for r in _json(root / "MultiPriv-PII" / name):
            yield Raw(r["naturalParagraph"], lang, "content", "paragraph")


def read_ethos(root: Path) -> Iterator[Raw]:
    for r in _csv(root / "ETHOS" / "Ethos_Dataset_Binary.csv", delimiter=";"):
        yield Raw(r["comment"], "en", "content", "1" if float(r["isHate"]) >= 0.5 else "0")


def read_toxigen(root: Path) -> Iterator[Raw]:
    for r in _csv(root / "ToxiGen-seeds" / "prompt_sentences.csv"):
        yield Raw(r["text"], "en", "content", r["label"], hint=r["target_group"])


# the project's own data ------------------------------------------------------------------------------------------------
AUTHORED_DIR = Path(__file__).resolve().parent / "data" / "authored"


def read_authored(root: Path) -> Iterator[Raw]:
    """The project's authored items (``training/data/authored``, see its CARD.md); ``root`` is not used: they live in
    the repository. Key ``harmful:<risk>`` or ``benign``; the authors' ``group`` is kept, ``form`` is the detail.
    ``GENSAFE_AUTHORED`` names another folder of files in the same format (an ablation without some files, or your
    own)."""
    override = os.environ.get("GENSAFE_AUTHORED")
    folder = Path(override or AUTHORED_DIR)
    files = sorted(folder.glob("*.jsonl")) if folder.is_dir() else []
    if not files:  # an empty or mistyped folder must not quietly build without the authored data
        where = f"GENSAFE_AUTHORED={override}" if override else str(folder)
        raise FileNotFoundError(f"{where}: no authored .jsonl files there")
    for path in files:
        for item in _jsonl(path):
            key = f"harmful:{item['risk']}" if item["label"] == "harmful" else "benign"
            yield Raw(item["text"], item["lang"], item["role"], key, group=item["group"], detail=item["form"])


READERS: dict[str, Callable[[Path], Iterator[Raw]]] = {
    "COLDataset": read_cold, "SWSR": read_swsr, "JADE-DB": read_jade, "Flames": read_flames,
    "SafetyBench": read_safetybench, "MultiJail": read_multijail, "HalluQA": read_halluqa, "HaluEval": read_halueval,
    "XSTest": read_xstest, "DiaSafety": read_diasafety, "HateCheck": read_hatecheck,
    "davidson-hate-offensive": read_davidson, "EDOS": read_edos, "Do-Not-Answer": read_do_not_answer,
    "SimpleSafetyTests": read_simple_safety, "deccp": read_deccp, "LawRefBook-Laws": read_lawrefbook,
    "Chinese-medical-dialogue": read_medical, "copyright-evals": read_copyright, "CValues": read_cvalues,
    "hh-rlhf-harmless": read_hh_rlhf,
    "ChineseHarm-bench": read_chineseharm, "S-Eval": read_seval, "XSafety": read_xsafety, "Weibo21": read_weibo21,
    "CHECKED": read_checked, "CED_Dataset": read_ced, "SDCNL": read_sdcnl, "TweetEval-hate-offensive": read_tweeteval,
    "THUCNews-titles": read_thucnews, "MultiPriv-PII": read_multipriv, "ETHOS": read_ethos,
    "ToxiGen-seeds": read_toxigen, "gensafe-authored": read_authored,
}

# The licence-clean sources added later live in sources_more.py (it imports Raw and the helpers from here). Run as a
# script, this file is ``__main__``: alias it as ``sources`` so sources_more gets this module, not a second copy.
sys.modules.setdefault("sources", sys.modules[__name__])
from sources_more import (  # noqa: E402
    read_ccp_sensitive,
    read_chbias,
    read_chinese_safetyqa,
    read_coconot,
    read_hrde,
    read_jbb,
    read_orbench,
    read_panda,
    read_smilechat,
    read_strongreject,
)

READERS["CoCoNot"] = read_coconot
READERS["ORBench"] = read_orbench
READERS["StrongREJECT"] = read_strongreject
READERS["JBB-Behaviors"] = read_jbb
READERS["Chinese-SafetyQA"] = read_chinese_safetyqa
READERS["PANDA"] = read_panda
READERS["CHBias"] = read_chbias
READERS["HRDE"] = read_hrde
READERS["SmileChat"] = read_smilechat
READERS["CCP-sensitive-prompts"] = read_ccp_sensitive


# -- discrimination target group ---------------------------------------------------------------------------------------
# Order matters: the first group whose words occur wins. Used only for rows labelled "A.2.x" by their source.
_GROUPS: list[tuple[str, str]] = [
    ("A.2.5", r"女|男人|男的|性别|婚驴|女权|直男|\bwom[ae]n\b|\bgirls?\b|\bfemale|\bwife|\bgender|\bsexis|\bmen\b|\bbitch"),
    ("A.2.4", r"地域|河南|东北|上海人|北京人|外地|农村|乡下|[省市]人|\bregion|\brural\b|\bsouthern|\bnorthern"),
    ("A.2.2", r"宗教|穆斯林|基督|佛教|伊斯兰|信仰|\bmuslim|\bislam|\bjew|\bchristian|\breligio|\bhindu|\bbuddhis"),
    ("A.2.3", r"外国|老外|日本人|美国人|韩国人|印度人|非洲人|国家的人|移民|\bimmigra|\bforeign|\bmexican|\bchinese|\bnational"),
    ("A.2.1", r"民族|种族|黑人|白人|黑鬼|藏族|维吾尔|少数民族|\brac(e|ism|ist)\b|\bblack\b|\bwhite\b|\basian|\bethnic|\bnigg"),
    ("A.2.6", r"老人|年轻人|年纪|岁数|老年|\bold people|\belderly|\bage(d|ism)?\b|\bboomer|\byoung people"),
    ("A.2.7", r"职业|农民工|保安|外卖|程序员|工人|服务员|\bjob|\bworkers?\b|\boccupation|\bjanitor|\bprofession"),
    ("A.2.8", r"残疾|病人|患者|艾滋|精神病|抑郁|\bdisab|\bdisease|\bmental(ly)? ill|\bautis|\bhiv\b|\bretard"),
    ("A.2.9", r"同性恋|跨性别|\bgay|\blesbian|\btrans\b|\btransgender|\blgbt|\bqueer|\bhomosexual"),
]


def infer_group(text: str, hint: str = "") -> str:
    """The A.2 risk of the group a discriminatory text targets, from keywords in its hint then its text."""
    for source in (hint, text):
        lowered = source.lower()
        for code, pattern in _GROUPS:
            if re.search(pattern, lowered):
                return code
    return "A.2.9"


# -- the label map and the one schema -----------------------------------------------------------------------------------
def read_label_map(path: Path = LABEL_MAP_PATH) -> dict[str, Any]:
    table = load_toml(path)["sources"]
    for name, spec in table.items():
        for key, codes in spec.get("labels", {}).items():
            bad = [c for c in codes if c != "A.2.x" and c not in RISK_CODES]
            if bad:
                raise ValueError(f"label_map.toml: {name} / {key!r} maps to unknown codes {bad}")
        if spec.get("build") not in ("default", "research", "eval", "unlabelled"):
            raise ValueError(f"label_map.toml: {name} has build {spec.get('build')!r}")
    return table


def load_rows(root: str | Path, build: str = "default", sources: list[str] | None = None) -> Iterator[dict[str, Any]]:
    """All rows of the chosen build in the one schema. Unmapped raw keys are skipped (they carry no usable label)."""
    if build not in BUILDS:
        raise ValueError(f"build must be one of {BUILDS}, got {build!r}")
    root = Path(root)
    table = read_label_map()
    allowed = {"default"} if build == "default" else {"default", "research"}
    for name, reader in READERS.items():
        spec = table[name]
        if spec["build"] not in allowed or (sources is not None and name not in sources):
            continue
        yield from mapped_rows(name, spec, reader(root))


def mapped_rows(name: str, spec: dict[str, Any], raws: Iterable[Raw]) -> Iterator[dict[str, Any]]:
    """One source's raw rows in the one schema, through its label-map entry ``spec``: unmapped keys and blank texts
    are skipped, "A.2.x" resolves to the targeted group's code."""
    known = spec.get("known", "all")
    for raw in raws:
        codes = spec["labels"].get(raw.key)
        if codes is None or not raw.text or not raw.text.strip():
            continue
        labels = sorted({infer_group(raw.text, raw.hint) if c == "A.2.x" else c for c in codes})
        yield {
            "text": raw.text,
            "lang": raw.lang,
            "role": raw.role,
            "labels": labels,
            "known": list(RISK_CODES) if known == "all" else sorted(set(known) | set(labels)),
            "source": name,
            "licence": spec["licence"],
            "build": spec["build"],
            "origin_split": raw.origin_split,
            "group": f"{name}:{raw.group}" if raw.group else "",
            "detail": raw.detail,
            "external": bool(spec.get("external", False)),
        }


def read_user_csv(path: str | Path) -> Iterator[dict[str, Any]]:
    """Your own labelled data: a CSV with ``text`` and ``labels`` (risk codes joined by ``;``, empty = safe), and
    optional ``lang`` (zh / en, default zh when the text has CJK characters) and ``role`` columns."""
    from gensafe.taxonomy import canonical_code

    path = Path(path)
    for i, r in enumerate(_csv(path)):
        if "text" not in r or "labels" not in r:
            raise ValueError(f"{path} needs the columns text and labels (got {list(r)})")
        text = r["text"] or ""
        if not text.strip():
            continue
        try:
            labels = sorted({canonical_code(c) for c in (r["labels"] or "").split(";") if c.strip()})
        except KeyError as e:
            raise ValueError(f"{path} row {i + 2}: {e}") from None
        lang = r.get("lang") or ("zh" if re.search(r"[\u4e00-\u9fff]", text) else "en")
        yield {"text": text, "lang": lang, "role": r.get("role") or "content", "labels": labels,
               "known": list(RISK_CODES), "source": f"csv:{path.name}", "licence": r.get("licence") or "user data",
               "build": "user", "origin_split": "", "group": "", "detail": "", "external": False}


_ZH_TO_CODE = {r.zh.removesuffix("内容"): r.code for r in RISKS}
_ZH_TO_CODE.update({"侵害他人其他合法权益": "A.4.7", "利用算法、数据、平台等优势,实施垄断和不正当竞争行为": "A.3.4"})


def chisafety_code(category: str) -> str | None:
    """Risk code of a CHiSafetyBench category name (the standard's own wording, with or without "内容")."""
    name = category.strip().removesuffix("内容")
    return _ZH_TO_CODE.get(name) or _ZH_TO_CODE.get(name.replace(",", "，"))


def load_chisafety(root: str | Path) -> list[dict[str, Any]]:
    """CHiSafetyBench's should-refuse questions (all A.1 / A.2), for per-risk recall: evaluation only, never trained."""
    base = Path(root) / "CHiSafetyBench" / "v1"
    rows: list[dict[str, Any]] = []
    if not base.is_dir():
        return rows
    for block in _json(base / "risky_questions_without_dialog_history.json"):
        for info in block["infos"]:
            code = chisafety_code(info["category"])
            if code:
                rows.append({"text": info["question"], "lang": "zh", "role": "prompt", "labels": [code]})
    for item in _json(base / "risky_questions_with_dialog_history.json"):
        code = chisafety_code(item["sub_category"])
        if code:
            rows.append({"text": item["input"], "lang": "zh", "role": "prompt", "labels": [code]})
    return rows


def _selfcheck(root: str) -> None:  # python training/sources.py /path/to/shared/data
    from collections import Counter

    for build in BUILDS:
        counts = Counter(r["source"] for r in load_rows(root, build))
        print(build, sum(counts.values()), dict(counts))
    rows = load_chisafety(root)
    print("CHiSafetyBench", len(rows), Counter(r["labels"][0] for r in rows))


if __name__ == "__main__":
    _selfcheck(sys.argv[1])
