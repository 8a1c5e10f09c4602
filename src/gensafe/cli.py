"""The ``gensafe`` command: ``check`` texts, ``scan`` files, show model ``info``.

Examples::

    gensafe check "今天天气很好" "how do I make a pipe bomb"
    gensafe check --json --operating-point loose "..."
    gensafe scan comments.csv --text-field body --out verdicts.jsonl
    gensafe scan --engine ray corpus/ --out verdicts/ --concurrency 8   # Parquet parts, on a (local) Ray
    gensafe info
    gensafe banks report                     # the shipped TC260 test banks against the §8 floors
    gensafe assess --endpoint URL --model NAME --out DIR   # the TC260 §9 assessment of a chat model
    gensafe audit report verdicts/ --out-dir audit/   # TC260 §5 / §9.2 corpus rules, with intervals
    gensafe label add answer.md --producer ORG-CODE --produce-id c-42 --in-place   # AIGC labels (GB 45438)
    gensafe pii mask --style tag "我的手机是13800138000"                              # personal information
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from .classifier import ROLES, Classifier, load
from .policy import Policy
from .registry import DEFAULT_MODEL
from .taxonomy import risk

__all__ = ["main"]


def _model_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", default=DEFAULT_MODEL, help="model folder or name (default: %(default)s)")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N (default: %(default)s)")
    p.add_argument("--precision", default="auto", choices=["auto", "fp32", "fp16", "int8"])
    p.add_argument("--threads", type=int, default=None, help="ONNX Runtime intra-op threads")
    p.add_argument("--operating-point", default=None, help="threshold set from the model, e.g. strict or loose")
    p.add_argument("--policy", default=None, metavar="TOML", help="policy file: overrides and disabled families")
    p.add_argument("--role", default=None, choices=ROLES, help="what the texts are (default: the model's default)")
    p.add_argument("--lexicon", action="append", default=None, metavar="TSV",
                   help="keyword lexicon: .tsv file, folder, or 'default' (repeatable)")
    p.add_argument("--lexicon-map", default=None, metavar="TOML", help="plain word lists to import (see lexicons/)")
    p.add_argument("--data-root", default=None, help="folder the --lexicon-map paths are relative to")
    p.add_argument("--keyword-mode", default="either", choices=["either", "both", "keywords", "model"],
                   help="how keyword hits and model scores combine (default: %(default)s)")


def _lexicon(paths: list[str], map_path: str | None, root: str | None, *, pinyin: bool | None = None,
             default: bool = False):
    """Stack lexicon files / folders (``default`` = the shipped project lexicon) and the lists of a TOML map."""
    from .keywords import Lexicon

    parts = [Lexicon.default() if p == "default" else Lexicon.from_tsv(p) for p in paths]
    if map_path:
        root = root or os.environ.get("GENSAFE_DATA")
        if not root:
            raise ValueError("--map needs --root (or GENSAFE_DATA): the folder its paths are relative to")
        parts.append(Lexicon.from_map(map_path, root, pinyin=pinyin))
    if not parts and default:
        parts.append(Lexicon.default())
    if not parts:
        raise ValueError("give lexicon files and/or --map")
    return parts[0] if len(parts) == 1 else Lexicon.stack(parts)


def _load(args: argparse.Namespace) -> Classifier:
    policy = Policy.from_toml(args.policy) if args.policy else Policy()
    if args.operating_point:
        policy = policy.with_overrides(operating_point=args.operating_point)
    clf = load(args.model, device=args.device, precision=args.precision, policy=policy, threads=args.threads)
    if getattr(args, "lexicon", None) or getattr(args, "lexicon_map", None):
        from .keywords import Matcher

        clf = clf.with_keywords(Matcher(_lexicon(args.lexicon or [], args.lexicon_map, args.data_root)),
                                args.keyword_mode)
    return clf


def _cmd_check(args: argparse.Namespace) -> int:
    texts = args.text if args.text else [line.rstrip("\n") for line in sys.stdin]
    clf = _load(args)
    result = clf.predict(texts, role=args.role)
    if args.json:
        print(result.to_json(indent=2 if sys.stdout.isatty() else None))
        return 1 if result.flagged.any() and args.fail_on_flag else 0
    for text, verdict in zip(texts, result, strict=True):
        shown = text if len(text) <= 48 else text[:47] + "…"
        status = "FLAGGED" if verdict.flagged else "ok"
        print(f"{status:8} {verdict.top_score:6.3f}  {verdict.top_risk or '-':6}  {shown}")
        for code in verdict.risks:
            print(f"{'':8} {verdict.scores[code]:6.3f}  {code:6}  {risk(code).zh} / {risk(code).en}")
        for hit in verdict.keyword_hits:
            only = " (keyword tier only)" if hit.risk in verdict.keyword_only_risks else ""
            print(f"{'':8} {'kw':>6}  {hit.risk:6}  [{hit.start}:{hit.end}] {hit.text!r} ~ {hit.term!r}{only}")
    print(f"\n{int(result.flagged.sum())} of {len(result)} flagged · model {clf.name} · {clf.policy.describe()}")
    return 1 if result.flagged.any() and args.fail_on_flag else 0


def _cmd_scan(args: argparse.Namespace) -> int:
    if args.engine == "ray":
        return _cmd_scan_ray(args)
    from .scan import scan_file

    if len(args.input) != 1:
        raise ValueError("the local engine scans one file; give several files, globs or folders with --engine ray")
    clf = _load(args)
    stats = scan_file(
        clf,
        args.input[0],
        args.out,
        fmt=args.format,
        text_field=args.text_field,
        id_field=args.id_field,
        role=args.role,
        chunk=args.chunk,
        overwrite=args.overwrite,
        progress=not args.quiet,
        include_scores=args.scores,
    )
    print(
        f"{stats.rows} rows scored into {args.out} ({stats.flagged} flagged, {stats.errors} unreadable, "
        f"{stats.skipped} already done)",
        file=sys.stderr,
    )
    return 0


def _cmd_scan_ray(args: argparse.Namespace) -> int:
    try:
        import ray  # noqa: F401
    except ImportError as e:
        raise ImportError(f"gensafe scan --engine ray needs the ray extra: pip install 'gensafe[ray]' ({e})") from None
    from .ray_scan import scan_ray

    stats = scan_ray(args.input, args.out, model_argv=args, fmt=args.format, text_field=args.text_field,
                     id_field=args.id_field, include_scores=args.scores, out_format=args.out_format,
                     batch_size=args.batch_size or args.chunk, concurrency=args.concurrency, num_cpus=args.num_cpus,
                     num_gpus=args.num_gpus, block_bytes=int(args.block_mb * (1 << 20)), address=args.address,
                     overwrite=args.overwrite, progress=not args.quiet)
    print(f"{stats.rows} rows scored into {args.out} ({stats.flagged} flagged, {stats.errors} unreadable; "
          f"{stats.shards - stats.skipped_shards} of {stats.shards} shards scored, {stats.skipped_shards} already "
          "done)", file=sys.stderr)
    return 0


def _cmd_audit(args: argparse.Namespace) -> int:
    from .audit import import_review, run_audit

    if args.action == "import":
        if len(args.inputs) != 1:
            raise ValueError("audit import takes one labelled sample file")
        report = import_review(args.inputs[0], args.out_dir)
    else:
        outputs = args.inputs
        if args.score:  # score the corpus first with the local engine, resumably, into OUT_DIR/scans/
            from pathlib import Path

            from .ray_scan import _file_key, expand_inputs
            from .scan import scan_file

            clf = _load(args)
            scans = Path(args.out_dir) / "scans"
            scans.mkdir(parents=True, exist_ok=True)
            outputs = []
            for f in expand_inputs(args.inputs):
                outputs.append(scans / f"{_file_key(f)}.jsonl")
                scan_file(clf, f, outputs[-1], text_field=args.text_field, id_field=args.id_field, role=args.role,
                          progress=not args.quiet)
        report = run_audit(outputs, args.out_dir, technical_share=args.technical_share, manual_size=args.manual_size,
                           seed=args.seed, source_by=args.source_by, decide=args.decide,
                           manual_format=args.manual_format, labels=args.labels)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        for r in report["rules"]:
            value = "-" if r["value"] is None else f"{100 * r['value']:.2f}%"
            interval = "" if r["interval"] is None else \
                f" [{100 * r['interval'][0]:.2f}%, {100 * r['interval'][1]:.2f}%]"
            print(f"§{r['clause']:<6} {r['status']:<8} {value}{interval} n={r['n']:,}  {r['rule']}; {r['detail']}")
        print(f"report: {args.out_dir}/audit.md and audit.json")
    return 1 if any(r["status"] == "FAIL" for r in report["rules"]) else 0


def _cmd_info(args: argparse.Namespace) -> int:
    import math

    from .taxonomy import RISKS, openai_categories

    clf = _load(args)
    info = clf.info()
    # what role= does is the model folder's choice: say it, so nobody relies on a role that changes nothing
    info["role_prefixes"] = dict(clf.manifest.role_prefixes)
    thresholds = dict(zip(clf.labels, clf.thresholds.tolist(), strict=True))
    # all 31 risks, scored or not, so an unscored risk is never mistaken for a clean one
    info["risks"] = [{**r.to_dict(), "scored": r.code in thresholds,
                      "threshold": thresholds[r.code] if math.isfinite(thresholds.get(r.code, math.inf)) else None,
                      "openai": list(openai_categories(r.code))} for r in RISKS]
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=2))
        return 0
    for key, value in info.items():
        if key == "risks":
            continue
        if key == "labels":
            unscored = len(RISKS) - len(value)
            value = f"{len(value)} risks: " + " ".join(value) + f" ({unscored} of the 31 not scored: see below)"
        elif key == "role_prefixes":
            value = (", ".join(f"{k} {v!r}" for k, v in value.items()) if value else
                     "none: role= changes nothing for this model (every text gets the same prefix)")
        elif isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items())
        elif isinstance(value, list):
            value = ", ".join(value)
        print(f"{key:20} {value}")
    print(f"\n{'risk':6} {'threshold':>9}  name (zh / en)")
    for row in info["risks"]:
        mark = "unscored" if not row["scored"] else "off" if row["threshold"] is None else f"{row['threshold']:.3f}"
        print(f"{row['code']:6} {mark:>9}  {row['zh']} / {row['en']}")
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    try:
        from .server import serve
    except ImportError as e:
        raise ImportError(f"gensafe serve needs the serve extra: pip install 'gensafe[serve]' ({e})") from None
    return serve(args)


def _cmd_lexicon(args: argparse.Namespace) -> int:
    from .keywords import FLOORS, coverage_report

    lexicon = _lexicon(args.files, args.map, args.root, pinyin=True if args.pinyin else None, default=True)
    if args.action == "find":
        from .keywords import Matcher

        matcher = Matcher(lexicon)
        for text in args.text or [line.rstrip("\n") for line in sys.stdin]:
            hits = matcher.find(text)
            print(f"{len(hits)} hit{'' if len(hits) == 1 else 's'}: {text[:80]!r}")
            for h in hits:
                print(f"  [{h.start}:{h.end}] {h.text!r} -> {h.term} {h.risk} {h.tier} (via {h.via})")
        return 0
    if args.action == "import":
        if not args.out:
            raise ValueError("lexicon import needs --out FILE.tsv")
        lexicon.write(args.out)
        print(f"wrote {len(lexicon)} terms to {args.out}")
        return 0
    report = coverage_report(lexicon)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(f"lexicon {report['name']}: {report['canonical_total']:,} distinct canonical terms "
              f"(+{report['variants_total']:,} variants, not counted); floor {FLOORS['total']:,}")
        print(f"duplicates {report['duplicates']:,}; in several risks {report['in_several_risks']:,}; "
              f"too short {report['too_short']:,}; too long {report['too_long']:,}; "
              f"empty once folded {report['empty']:,}; AND rules {report['and_rules']:,}")
        tiers = ", ".join(f"{k} {v:,}" for k, v in sorted(report["per_tier"].items()))
        print(f"tiers: {tiers or 'none'}; web addresses (own category, not counted) {report['domains']:,}")
        for code, n in report["per_risk"].items():
            fam = code[:3]
            floor = FLOORS.get(fam)
            mark = "" if floor is None else ("  ok" if n >= floor else f"  MISSING (floor {floor})")
            if n or floor:
                print(f"  {code}  {n:7,}  {risk(code).en}{mark}")
        print("PASS: every TC260 floor met" if report["passes"] else
              "FAIL: " + "; ".join(report["floors_missed"]))
    return 0 if report["passes"] else 1


def _cmd_banks(args: argparse.Namespace) -> int:
    from .banks import floor_report, load_bank

    if args.action == "show":
        for item in load_bank(args.bank, args.lang, args.dir):
            print(json.dumps({k: v for k, v in vars(item).items() if v is not None}, ensure_ascii=False))
        return 0
    rows = floor_report(args.dir)
    missed = [r for r in rows if not r.ok]
    if args.json:
        print(json.dumps([{**vars(r), "ok": r.ok} for r in rows], ensure_ascii=False, indent=1))
    else:
        print(f"{'bank':<10} {'lang':<4} {'risk / aspect':<15} {'count':>6} {'floor':>6}")
        for r in rows:
            print(f"{r.bank:<10} {r.lang:<4} {r.key:<15} {r.count:>6} {r.floor:>6}  {'ok' if r.ok else 'MISSED'}")
        print(f"{len(rows) - len(missed)} of {len(rows)} floors met" + (
            ": FAIL — " + ", ".join(f"{r.bank} {r.lang} {r.key} {r.count} < {r.floor}" for r in missed)
            if missed else ": PASS"))
    return 1 if missed else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gensafe", description="Score text against the 31 TC260-003 risks.")
    sub = parser.add_subparsers(dest="command", required=True)

    check = sub.add_parser("check", help="score texts given as arguments (or one per line on stdin)")
    check.add_argument("text", nargs="*", help="texts to score; none reads lines from stdin")
    check.add_argument("--json", action="store_true", help="print the result as JSON")
    check.add_argument("--fail-on-flag", action="store_true", help="exit 1 when any text is flagged")
    _model_args(check)
    check.set_defaults(func=_cmd_check)

    scan = sub.add_parser("scan", help="score a JSONL, CSV, Parquet or text file into JSONL (streaming, resumable)")
    scan.add_argument("input", nargs="+", help="input file: .jsonl, .csv/.tsv, .parquet, or anything else as one "
                      "text per line; with --engine ray also several files, globs and folders")
    scan.add_argument("--out", required=True, help="output JSONL, one line per input row (--engine ray: a folder)")
    scan.add_argument("--format", choices=["jsonl", "csv", "txt", "parquet"], default=None,
                      help="default: from the suffix")
    scan.add_argument("--text-field", default="text", help="field or column holding the text (default: %(default)s)")
    scan.add_argument("--id-field", default=None, help="field or column copied to the output as id")
    scan.add_argument("--chunk", type=int, default=256, help="rows scored and written per step")
    scan.add_argument("--scores", action="store_true", help="write every risk's score, not only the verdict")
    scan.add_argument("--overwrite", action="store_true", help="start over instead of resuming")
    scan.add_argument("--quiet", action="store_true", help="no progress bar")
    ray_opts = scan.add_argument_group("Ray engine (--engine ray; needs the ray extra)")
    ray_opts.add_argument("--engine", choices=["local", "ray"], default="local", help="(default: %(default)s)")
    ray_opts.add_argument("--address", default=None, help="Ray cluster to join (e.g. auto); default: a local Ray")
    ray_opts.add_argument("--concurrency", type=int, default=1, help="actors, each with its own model (default: 1)")
    ray_opts.add_argument("--batch-size", type=int, default=None, help="rows per predict call (default: --chunk)")
    ray_opts.add_argument("--num-cpus", type=float, default=1.0, help="CPUs per actor (default: 1)")
    ray_opts.add_argument("--num-gpus", type=float, default=None, help="GPUs per actor (default: 1 on CUDA, else 0)")
    ray_opts.add_argument("--out-format", choices=["parquet", "jsonl"], default="parquet",
                          help="format of the parts under --out (default: %(default)s)")
    ray_opts.add_argument("--block-mb", type=float, default=64.0,
                          help="input MiB per shard, the unit of work and of redo after a crash (default: 64)")
    _model_args(scan)
    scan.set_defaults(func=_cmd_scan)

    lex = sub.add_parser("lexicon", help="keyword lexicons: coverage report against the TC260 floors, import, "
                         "find (show the hits in texts)")
    lex.add_argument("action", choices=["report", "import", "find"])
    lex.add_argument("files", nargs="*", help="gensafe .tsv lexicons or folders of them ('default': the shipped "
                     "project lexicon, also used when neither files nor --map are given)")
    lex.add_argument("--text", action="append", default=None, help="find: a text to match (repeatable; none reads "
                     "lines from stdin)")
    lex.add_argument("--pinyin", action="store_true", help="opt every list of --map into pinyin matching")
    lex.add_argument("--map", default=None, help="TOML map of plain word lists to import (e.g. lexicons/shared_map.toml)")
    lex.add_argument("--root", default=None, help="folder the map's paths are relative to (default: $GENSAFE_DATA)")
    lex.add_argument("--out", default=None, help="import: the .tsv to write")
    lex.add_argument("--json", action="store_true")
    lex.set_defaults(func=_cmd_lexicon)

    banks = sub.add_parser("banks", help="the TC260 §8 test banks: floor report, or print one bank")
    banks.add_argument("action", choices=["report", "show"])
    banks.add_argument("--bank", default="generated", choices=["generated", "refuse", "answer"], help="for show")
    banks.add_argument("--lang", default="zh", choices=["zh", "en"], help="for show")
    banks.add_argument("--dir", default=None, help="a folder of bank files to check instead of the shipped ones")
    banks.add_argument("--json", action="store_true")
    banks.set_defaults(func=_cmd_banks)

    serve = sub.add_parser("serve", help="HTTP service: OpenAI-compatible /v1/moderations and /v1/check")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    serve.add_argument("--port", type=int, default=8000, help="(default: %(default)s)")
    serve.add_argument("--workers", type=int, default=1, help="server processes, each with its own model copy")
    serve.add_argument("--keywords", action="append", dest="lexicon", metavar="TSV",
                       help="keyword lexicon (repeatable; same as --lexicon)")
    serve.add_argument("--api-keys-file", default=None, metavar="FILE",
                       help="bearer API keys, one per line (also read: $GENSAFE_API_KEYS, comma-separated)")
    serve.add_argument("--allow-unauthenticated", action="store_true",
                       help="listen beyond localhost without API keys")
    serve.add_argument("--max-body-bytes", type=int, default=4 * 1024 * 1024, help="(default: %(default)s)")
    serve.add_argument("--max-inputs", type=int, default=64, help="texts per request (default: %(default)s)")
    serve.add_argument("--max-chars", type=int, default=32_000, help="characters per text (default: %(default)s)")
    serve.add_argument("--timeout", type=float, default=30.0, help="seconds per request (default: %(default)s)")
    serve.add_argument("--max-queue", type=int, default=256, help="requests waiting before 429 (default: %(default)s)")
    serve.add_argument("--max-wait-ms", type=float, default=2.0, help="batching wait (default: %(default)s)")
    serve.add_argument("--log-text", action="store_true", help="log raw input texts (off: texts are never logged)")
    _model_args(serve)
    serve.set_defaults(func=_cmd_serve)

    audit = sub.add_parser("audit", help="TC260 corpus audit of scan outputs: source shares, samples, report")
    audit.add_argument("action", choices=["report", "import"],
                       help="report: measure and write the report; import: fold a labelled manual sample into it")
    audit.add_argument("inputs", nargs="+", help="report: scan outputs (OUT.jsonl or --engine ray folders), or with "
                       "--score corpus files/globs/folders; import: the labelled sample file")
    audit.add_argument("--out-dir", required=True, help="folder for audit.md, audit.json and the manual sample")
    audit.add_argument("--score", action="store_true", help="inputs are a corpus: scan it first (into OUT_DIR/scans)")
    audit.add_argument("--text-field", default="text", help="with --score (default: %(default)s)")
    audit.add_argument("--id-field", default=None, help="with --score")
    audit.add_argument("--technical-share", type=float, default=0.10, help="§9.2 b sample share (default: 0.10)")
    audit.add_argument("--manual-size", type=int, default=4000, help="§9.2 a sample size (default: %(default)s)")
    audit.add_argument("--manual-format", choices=["csv", "jsonl"], default="csv")
    audit.add_argument("--labels", default=None, help="a labelled manual sample of an earlier run (same seed)")
    audit.add_argument("--seed", type=int, default=0, help="seed of both samples (default: %(default)s)")
    audit.add_argument("--source-by", choices=["file", "folder"], default="file", help="what a source is")
    audit.add_argument("--decide", choices=["point", "interval"], default="point",
                       help="PASS on the measured value, or only when the whole 95%% interval clears the threshold")
    audit.add_argument("--json", action="store_true", help="print the report as JSON")
    audit.add_argument("--quiet", action="store_true", help="no progress bar while scoring")
    _model_args(audit)
    audit.set_defaults(func=_cmd_audit)

    info = sub.add_parser("info", help="show the model, its labels, the provider and versions")
    info.add_argument("--json", action="store_true")
    _model_args(info)
    info.set_defaults(func=_cmd_info)

    # the compliance commands keep their code in their own modules; these only add their parsers
    from .assess.cli import register as register_assess
    from .labels.cli import register as register_label
    from .pii.cli import register as register_pii

    register_assess(sub)
    register_label(sub)
    register_pii(sub)
    return parser


def _os_error(e: OSError) -> str:
    """One line for a file-system error, naming the path; a path in the derived-graph cache says so."""
    if not (e.strerror and isinstance(e.filename, str)):
        return str(e)
    from pathlib import Path

    from .derive import cache_dir

    in_cache = Path(os.path.abspath(e.filename)).is_relative_to(os.path.abspath(cache_dir()))
    return f"{e.strerror}: {e.filename}" + (" (the cache of derived graphs: set GENSAFE_CACHE to a writable folder)"
                                            if in_cache else "")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except OSError as e:  # unreadable input, unwritable output or cache: one line, not a traceback
        print(f"gensafe {args.command}: error: {_os_error(e)}", file=sys.stderr)
        return 2
    except (ValueError, KeyError, TypeError, RuntimeError, ImportError) as e:
        print(f"gensafe {args.command}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"gensafe {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
