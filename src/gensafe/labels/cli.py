"""``gensafe label add | read | validate | report``: the label commands (``gensafe.cli`` only parses).

A plain-text file may carry its metadata in a sidecar ``FILE.aigc.json`` (``{"AIGC": {...}}``, written by
``add --sidecar``); read, validate and report use it when the text itself has no ``AIGC:`` line.

Example::

    gensafe label add answer.md --producer 91110000MA00000000 --produce-id c-42 --in-place
    gensafe label validate answer.md out/*.json --text-field choices.0.message.content
    gensafe label report outputs/          # every .txt / .md / .json below it
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .core import AIGCLabel, LabelReport, add, detect_format, read, report, validate

__all__ = ["register", "SUFFIXES"]

SUFFIXES = (".txt", ".md", ".markdown", ".json")


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".aigc.json")


def _load(path: str, fmt: str | None) -> tuple[str, str]:
    """The file's text (with its sidecar's metadata appended as the last line, if it has one) and its format."""
    if path == "-":
        text = sys.stdin.read()
        return text, fmt or detect_format(text)
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    fmt = fmt or detect_format(text, str(p))
    side = _sidecar(p)
    if fmt == "text" and side.exists() and read(text, "text").raw is None:
        meta = json.loads(side.read_text(encoding="utf-8")).get("AIGC")
        if meta is not None:
            text = text.rstrip("\n") + "\nAIGC: " + json.dumps(meta, ensure_ascii=False) + "\n"
    return text, fmt


def _cmd_add(args: argparse.Namespace) -> int:
    if args.in_place and args.input == "-":
        raise ValueError("--in-place needs a file, not stdin")
    text, fmt = _load(args.input, args.format)
    if args.sidecar and fmt != "text":
        raise ValueError("--sidecar is for plain text: Markdown and JSON carry the metadata inside")
    out = add(text, fmt, producer=args.producer, produce_id=args.produce_id, label=args.label,
              propagator=args.propagator, propagate_id=args.propagate_id, reserved_code1=args.reserved_code1,
              reserved_code2=args.reserved_code2, explicit=args.explicit, position=args.position,
              text_field=args.text_field, implicit=not args.sidecar)
    target = args.input if args.in_place else args.out
    if target and target != "-":
        Path(target).write_text(out, encoding="utf-8")
        if args.sidecar:
            meta = AIGCLabel(args.label, args.producer, args.produce_id, args.reserved_code1, args.propagator,
                             args.propagate_id, args.reserved_code2)  # the values add() has just checked
            _sidecar(Path(target)).write_text(json.dumps({"AIGC": meta.to_dict()}, ensure_ascii=False, indent=1)
                                              + "\n", encoding="utf-8")
        print(f"labelled {target}" + (f" (metadata in {_sidecar(Path(target)).name})" if args.sidecar else ""),
              file=sys.stderr)
    else:
        if args.sidecar:
            raise ValueError("--sidecar needs --out FILE or --in-place (the sidecar is named after the file)")
        sys.stdout.write(out)
    return 0


def _cmd_read(args: argparse.Namespace) -> int:
    text, fmt = _load(args.input, args.format)
    found = read(text, fmt, text_field=args.text_field)
    print(json.dumps({"format": found.fmt, "AIGC": found.raw, "explicit": list(found.explicit),
                      "positions": list(found.positions)}, ensure_ascii=False, indent=2))
    return 0 if found.raw is not None or found.explicit else 1


def _files(paths: list[str]) -> list[str]:
    out = []
    for path in paths:
        p = Path(path)
        if p.is_dir():
            out += sorted(str(f) for f in p.rglob("*") if f.suffix.lower() in SUFFIXES and f.is_file()
                          and not f.name.endswith(".aigc.json"))  # sidecars are read with their text file
        else:
            out.append(path)
    return out


def _check(args: argparse.Namespace) -> list[tuple[str, LabelReport]]:
    files = _files(args.inputs)
    if not files:
        raise ValueError(f"no {' / '.join(SUFFIXES)} files under {', '.join(args.inputs)}")
    return [(f, validate(*_load(f, args.format), text_field=args.text_field)) for f in files]


def _cmd_validate(args: argparse.Namespace) -> int:
    results = _check(args)
    if args.json:
        print(json.dumps({name: r.to_dict() for name, r in results}, ensure_ascii=False, indent=2))
    else:
        for name, r in results:
            print(f"{'ok' if r.ok else 'FAIL':5} {name}")
            for p in r.problems:
                print(f"      {p.severity:7} {p.code:18} {p.message}")
    return 0 if all(r.ok for _, r in results) else 1


def _cmd_report(args: argparse.Namespace) -> int:
    summary = report(_check(args))
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        print(f"{summary['files']} files: {summary['ok']} labelled and valid, {summary['invalid']} labelled with "
              f"errors, {summary['unlabelled']} unlabelled")
        for code, n in sorted(summary["problems"].items(), key=lambda kv: -kv[1]):
            print(f"  {n:6}  {code}")
        for name in summary["failing"][:20]:
            print(f"  FAIL {name}")
        if len(summary["failing"]) > 20:
            print(f"  … and {len(summary['failing']) - 20} more (--json lists all)")
    return 0 if not summary["failing"] else 1


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``label`` and its four actions to the ``gensafe`` parser."""
    label = sub.add_parser("label", help="AIGC labels (GB 45438-2025): add, read, validate, report")
    actions = label.add_subparsers(dest="action", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--format", choices=["text", "md", "json"], default=None,
                       help="default: from the suffix (.md, .json; anything else is text)")
        p.add_argument("--text-field", default=None, metavar="PATH",
                       help="json: dotted path of the string with the explicit label, e.g. choices.0.message.content")

    add_p = actions.add_parser("add", help="add (or replace) the explicit label and the AIGC metadata")
    add_p.add_argument("input", help="file to label, or - for stdin")
    add_p.add_argument("--producer", required=True, help="ContentProducer: name or code of the service provider")
    add_p.add_argument("--produce-id", required=True, help="ProduceID: the producer's content ID")
    add_p.add_argument("--label", default="1", choices=["1", "2", "3"],
                       help="1 generated, 2 possibly, 3 suspected (default: %(default)s)")
    add_p.add_argument("--propagator", default="", help="ContentPropagator")
    add_p.add_argument("--propagate-id", default="", help="PropagateID")
    add_p.add_argument("--reserved-code1", default="", help="ReservedCode1 (e.g. a signature)")
    add_p.add_argument("--reserved-code2", default="", help="ReservedCode2")
    add_p.add_argument("--explicit", default="本内容由人工智能生成", help="visible label line (default: %(default)s)")
    add_p.add_argument("--position", default="start", choices=["start", "end", "none"])
    add_p.add_argument("--out", default=None, help="write here (default: stdout)")
    add_p.add_argument("--in-place", action="store_true", help="rewrite the input file")
    add_p.add_argument("--sidecar", action="store_true", help="text: metadata in FILE.aigc.json, not in the text")
    common(add_p)
    add_p.set_defaults(func=_cmd_add)

    read_p = actions.add_parser("read", help="print the labels found as JSON (exit 1: none)")
    read_p.add_argument("input", help="file, or - for stdin")
    common(read_p)
    read_p.set_defaults(func=_cmd_read)

    for name, func, what in (("validate", _cmd_validate, "every problem of each file (exit 1: any error)"),
                             ("report", _cmd_report, "counts over many files or folders (exit 1: any failing)")):
        p = actions.add_parser(name, help=what)
        p.add_argument("inputs", nargs="+", help=f"files, or folders searched for {' '.join(SUFFIXES)}")
        p.add_argument("--json", action="store_true")
        common(p)
        p.set_defaults(func=func)

