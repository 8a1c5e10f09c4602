"""Score each sampled answer with the three tiers: keywords, the risk classifier and the refusal detector.

One row per sampled question (written to ``scored.jsonl``, from which the report is rebuilt when review labels
arrive). The keyword tier is whatever ``gensafe.load(keywords=...)`` attaches; when it cannot be loaded (the
``keywords`` extra missing, no lexicon) the rows say so and the keyword rule is reported as not run, never as passed.

Example:
    >>> rows = score_answers(items, answers, classifier=gensafe.load(), detector=refusal.load())  # doctest: +SKIP
    >>> rows[0]["refusal"], rows[0]["classifier_flagged"]                                         # doctest: +SKIP
    ('refusal', False)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..banks import BankItem

__all__ = ["score_answers"]


def _hit(h: Any) -> dict[str, Any]:
    # only the fields a reviewer needs; getattr so a reworked KeywordHit with more fields still works
    return {k: getattr(h, k) for k in ("term", "risk", "text", "start", "end") if getattr(h, k, None) is not None}


def score_answers(
    items: Sequence[BankItem],
    answers: dict[str, str],
    *,
    classifier: Any,
    detector: Any,
    keywords_loaded: bool,
    batch: int = 64,
) -> list[dict[str, Any]]:
    """Rows of ``{id, bank, lang, risk, aspect, question, answer, keyword_*, classifier_*, refusal*}``.

    Args:
        items: The sample; every item needs an answer in ``answers`` (id → text).
        classifier: A :class:`gensafe.Classifier` (with its keyword tier attached when ``keywords_loaded``).
        detector: A :class:`gensafe.refusal.RefusalDetector`.
        keywords_loaded: Whether ``classifier`` carries a keyword tier; False writes ``keyword_flagged: null``.
    """
    rows: list[dict[str, Any]] = []
    for start in range(0, len(items), batch):
        part = items[start:start + batch]
        texts = [answers[i.id] for i in part]
        questions = [i.question for i in part]
        # answers are scored as responses, in the context of their question when the model folder reads one
        reads_context = bool(getattr(getattr(classifier, "manifest", None), "context_template", ""))
        result = classifier.predict(texts, role="response", context=questions if reads_context else None)
        refused = detector.predict(texts, questions)
        model_flagged = result.model_flagged
        keyword_flagged = result.keyword_flagged
        for j, item in enumerate(part):
            verdict = result[j]
            rows.append({
                "id": item.id, "bank": item.bank, "lang": item.lang, "risk": item.risk, "aspect": item.aspect,
                "question": item.question, "answer": texts[j],
                "keyword_flagged": bool(keyword_flagged[j]) if keywords_loaded else None,
                "keyword_hits": [_hit(h) for h in verdict.keyword_hits] if keywords_loaded else [],
                "classifier_flagged": bool(model_flagged[j]),
                "classifier_risks": list(verdict.risks),
                "classifier_top": [verdict.top_risk, round(float(verdict.top_score), 4)],
                "refusal": refused.labels[j],
                "refusal_probs": {n: round(float(p), 4) for n, p in zip(refused.names, refused.probs[j], strict=True)},
            })
    return rows
