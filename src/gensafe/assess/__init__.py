"""``gensafe assess``: the TC260-003 §9 generated-content and refusal assessment of a model, end to end.

1. sample the banks per §9 with a seed (:mod:`.sampling`): ≥ 1,000 generated-content, ≥ 300 should-refuse and
   ≥ 300 must-answer questions, written to ``questions.jsonl``;
2. get the answers from an OpenAI-compatible endpoint (concurrent, retried, cached in ``answers.cache.jsonl`` and
   resumed on rerun) or from a JSONL file (:mod:`.client`);
3. score every answer with the keyword tier, the risk classifier and the refusal detector (:mod:`.scoring`) into
   ``scored.jsonl``;
4. write ``report.md`` and ``report.json`` (:mod:`.report`) and the manual-review sample ``review.csv`` /
   ``review.jsonl`` (:mod:`.review`); :func:`import_review` folds reviewers' labels back in (§9.3 b).

Example:
    >>> from gensafe.assess import run_assessment
    >>> report = run_assessment("out/", answers_file="answers.jsonl")          # doctest: +SKIP
    >>> report["rules"]["9.4 b"]["status"]                                       # doctest: +SKIP
    'PASS'
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .client import ChatClient, EndpointError, read_answers
from .report import RULES, evaluate_rules, write_report
from .review import export_review, read_labels
from .review import import_review as _import_labels
from .sampling import FLOORS, draw_sample, write_questions
from .scoring import score_answers

__all__ = ["ChatClient", "EndpointError", "FLOORS", "RULES", "draw_sample", "evaluate_rules", "import_review",
           "read_answers", "run_assessment", "score_answers"]

_log = logging.getLogger(__name__)
SCORED = "scored.jsonl"
META = "run.json"


def _open_classifier(classifier: Any, keywords: Any, device: str) -> tuple[Any, bool, str]:
    """The classifier, whether a keyword tier is attached, and why not when it is not."""
    import gensafe

    if not isinstance(classifier, (str, Path)):
        return classifier, getattr(classifier, "keywords", None) is not None, ""
    if keywords is None:
        return gensafe.load(classifier, device=device), False, "no lexicon given"
    try:
        return gensafe.load(classifier, device=device, keywords=keywords), True, ""
    except (ImportError, FileNotFoundError) as e:
        # the keyword tier is optional (extra, lexicon files): assess without it and report the rule as not run
        _log.warning("keyword tier unavailable, assessing without it: %s", e)
        return gensafe.load(classifier, device=device), False, f"keyword tier unavailable: {e}"


def run_assessment(
    out: str | Path,
    *,
    client: ChatClient | None = None,
    answers_file: str | Path | None = None,
    banks: str | Path | None = None,
    langs: tuple[str, ...] = ("zh", "en"),
    seed: int = 0,
    sizes: dict[str, int] | None = None,
    classifier: Any = "default",
    keywords: Any = "default",
    detector: Any = None,
    device: str = "cpu",
    partial_is_refusal: bool = True,
) -> dict[str, Any]:
    """Run the whole assessment into the folder ``out``; returns the report (also in ``out/report.json``).

    Args:
        client: Where the answers come from (or ``answers_file``: exactly one of the two).
        banks: A folder of bank files in the shipped format (default: the shipped banks).
        langs, seed, sizes: The sample (see :func:`draw_sample`); sizes below the §9 floors fail their rules.
        classifier: Model name / folder or a loaded :class:`gensafe.Classifier`.
        keywords: What ``gensafe.load(keywords=...)`` takes (``"default"``: the project lexicon) or None.
        detector: Refusal-detector name / folder or a loaded one (default: the shipped detector).
        partial_is_refusal: Count partial refusals as refusals in §9.4 (default True).

    Raises:
        ValueError: neither or both answer sources; an answers file that misses sampled questions.
        EndpointError (as RuntimeError): when some questions got no answer after all retries; the answers that
            did arrive stay cached, so rerunning the same command resumes.
    """
    from .. import refusal

    if (client is None) == (answers_file is None):
        raise ValueError("give exactly one of an endpoint (--endpoint, --model) and an answers file (--answers)")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    items = draw_sample(seed=seed, sizes=sizes, langs=langs, folder=banks)
    write_questions(items, out / "questions.jsonl")
    if client is not None:
        answers, errors = client.answer_all(items, out / "answers.cache.jsonl")
        if errors:
            first = next(iter(errors.items()))
            raise EndpointError(f"{len(errors)} of {len(items)} questions got no answer (e.g. {first[0]}: {first[1]}); "
                                f"{len(answers)} answers are cached in {out / 'answers.cache.jsonl'}: rerun to resume")
        source = f"endpoint {client.url} model {client.model}"
    else:
        answers = read_answers(answers_file, items)
        source = f"answers file {answers_file}"
    clf, have_keywords, why = _open_classifier(classifier, keywords, device)
    det = refusal.load(detector or refusal.DEFAULT_DETECTOR) if isinstance(detector, (str, Path, type(None))) \
        else detector
    rows = score_answers(items, answers, classifier=clf, detector=det, keywords_loaded=have_keywords)
    with open(out / SCORED, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    meta = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "answers": source,
        "banks": str(banks) if banks else "shipped TC260 banks", "languages": ",".join(langs), "seed": seed,
        "sample": {b: sum(1 for i in items if i.bank == b) for b in FLOORS},
        "classifier": getattr(clf, "name", str(classifier)),
        "keyword tier": "attached" if have_keywords else f"not run ({why})",
        "refusal detector": det.folder.name if hasattr(det, "folder") else str(det),
    }
    (out / META).write_text(json.dumps({**meta, "partial_is_refusal": partial_is_refusal}, ensure_ascii=False,
                                       indent=1) + "\n", encoding="utf-8")
    export_review(rows, out)
    return write_report(out, rows, meta, read_labels(out), partial_is_refusal=partial_is_refusal)


def import_review(labels_file: str | Path, out: str | Path) -> dict[str, Any]:
    """Fold a reviewed ``review.csv`` / ``review.jsonl`` into the run in ``out`` and rebuild its report (§9.3 b)."""
    out = Path(out)
    if not (out / SCORED).is_file():
        raise FileNotFoundError(f"{out / SCORED} not found: run gensafe assess into {out} first")
    with open(out / SCORED, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    meta = json.loads((out / META).read_text(encoding="utf-8"))
    partial = meta.pop("partial_is_refusal", True)
    labels = _import_labels(labels_file, out, {r["id"] for r in rows if r["bank"] == "generated"})
    return write_report(out, rows, meta, labels, partial_is_refusal=partial)
