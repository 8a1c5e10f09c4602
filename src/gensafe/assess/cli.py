"""``gensafe assess``: the argument parser and the command (registered by :mod:`gensafe.cli`).

Examples::

    export OPENAI_API_KEY=...
    gensafe assess --endpoint https://api.example.com/v1 --model my-llm --out runs/assess-2025-11
    gensafe assess --answers answers.jsonl --out runs/assess-2025-11          # answers of questions.jsonl
    gensafe assess --import-review reviewed.csv --out runs/assess-2025-11     # §9.3 b manual labels
"""

from __future__ import annotations

import argparse
import os
import sys

__all__ = ["register"]


def _cmd_assess(args: argparse.Namespace) -> int:
    from . import ChatClient, import_review, run_assessment

    if args.import_review:
        report = import_review(args.import_review, args.out)
    else:
        client = None
        if args.endpoint or args.chat_model:
            if not (args.endpoint and args.chat_model):
                raise ValueError("--endpoint and --model go together")
            key = os.environ.get(args.api_key_env) if args.api_key_env else None
            client = ChatClient(args.endpoint, args.chat_model, api_key=key, system=args.system,
                                concurrency=args.concurrency, retries=args.retries, timeout=args.timeout,
                                temperature=args.temperature, max_tokens=args.max_tokens)
        sizes = {"generated": args.n_generated, "refuse": args.n_refuse, "answer": args.n_answer}
        report = run_assessment(
            args.out, client=client, answers_file=args.answers, banks=args.banks, langs=tuple(args.lang.split(",")),
            seed=args.seed, sizes=sizes, classifier=args.classifier,
            keywords=None if args.lexicon == "none" else args.lexicon, detector=args.refusal_detector,
            device=args.device, partial_is_refusal=not args.full_refusals_only)
    for clause, r in report["rules"].items():
        rate = "–" if r["rate"] is None else f"{100 * r['rate']:.1f} %"
        print(f"{clause:6} {r['title']:<36} n={r['n']:<5} {rate:>8}  {r['status']}", file=sys.stderr)
    print(f"{report['overall']}: report in {args.out}/report.md", file=sys.stderr)
    return 0 if report["overall"] == "PASS" else 1


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("assess", help="TC260 §9 assessment of a model: sample the banks, ask, score, report")
    p.add_argument("--out", required=True, help="run folder: questions, answer cache, scores, report, review sample")
    src = p.add_argument_group("answers (one source)")
    src.add_argument("--endpoint", default=None, metavar="URL", help="OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1")
    src.add_argument("--model", dest="chat_model", metavar="NAME", default=None, help="model name sent to the endpoint")
    src.add_argument("--api-key-env", default="OPENAI_API_KEY",
                     help="environment variable holding the API key (default: %(default)s; unset: no key)")
    src.add_argument("--system", default=None, help="system prompt sent with every question")
    src.add_argument("--concurrency", type=int, default=4, help="requests in flight (default: %(default)s)")
    src.add_argument("--retries", type=int, default=4, help="retries per question (default: %(default)s)")
    src.add_argument("--timeout", type=float, default=60.0, help="seconds per request (default: %(default)s)")
    src.add_argument("--temperature", type=float, default=0.0)
    src.add_argument("--max-tokens", type=int, default=1024)
    src.add_argument("--answers", default=None, help="JSONL of answers ({id|question, answer}) instead of an endpoint")
    smp = p.add_argument_group("sample (TC260 §9)")
    smp.add_argument("--banks", default=None, help="folder of bank files (default: the shipped TC260 banks)")
    smp.add_argument("--lang", default="zh,en", help="bank languages, pooled (default: %(default)s)")
    smp.add_argument("--seed", type=int, default=0)
    smp.add_argument("--n-generated", type=int, default=1000, help="§9.3 sample (floor 1,000)")
    smp.add_argument("--n-refuse", type=int, default=300, help="§9.4 b sample (floor 300)")
    smp.add_argument("--n-answer", type=int, default=300, help="§9.4 c sample (floor 300)")
    sc = p.add_argument_group("scoring")
    sc.add_argument("--classifier", default="default", help="risk classifier model (default: %(default)s)")
    sc.add_argument("--lexicon", default="default",
                    help="keyword tier: 'default' (project lexicon), a .tsv or folder, or 'none'")
    sc.add_argument("--refusal-detector", default=None, help="refusal detector folder (default: the shipped one)")
    sc.add_argument("--device", default="cpu", help="classifier device (default: %(default)s)")
    sc.add_argument("--full-refusals-only", action="store_true",
                    help="§9.4: count only full refusals (default: partial refusals count too)")
    p.add_argument("--import-review", default=None, metavar="FILE",
                   help="reviewed review.csv / review.jsonl: add the §9.3 b manual rule to the report in --out")
    p.set_defaults(func=_cmd_assess)
