"""``gensafe pii detect | mask``: the personal-information commands (``gensafe.cli`` only parses).

Texts come from the arguments, or one per line on stdin.

Example::

    gensafe pii detect "我的手机是13800138000" --json
    cat answers.txt | gensafe pii mask --style hash --salt "$SALT" > masked.txt
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from . import STYLES, TYPES, detect, mask

__all__ = ["register"]


def _texts(args: argparse.Namespace) -> list[str]:
    return args.text if args.text else [line.rstrip("\n") for line in sys.stdin]


def _types(value: str) -> list[str]:
    types = [t.strip().upper() for t in value.split(",") if t.strip()]
    unknown = [t for t in types if t not in TYPES]
    if unknown or not types:
        raise argparse.ArgumentTypeError(f"unknown type(s) {', '.join(unknown) or repr(value)}: "
                                         f"expected {', '.join(TYPES)}")
    return types


def _options(args: argparse.Namespace) -> dict:
    return {"types": args.types, "require_valid": not args.keep_invalid, "min_confidence": args.min_confidence}


def _cmd_detect(args: argparse.Namespace) -> int:
    texts = _texts(args)
    found = detect(texts, **_options(args))
    for i, (text, spans) in enumerate(zip(texts, found, strict=True)):
        if args.json:
            print(json.dumps({"index": i, "pii": [s.to_dict() for s in spans]}, ensure_ascii=False))
            continue
        shown = text if len(text) <= 60 else text[:59] + "…"
        print(f"{len(spans):3} found  {shown}")
        for s in spans:
            check = {True: "checksum ok", False: "CHECKSUM FAILS", None: ""}[s.valid]
            print(f"     {s.type:12} [{s.start}:{s.end}] {s.text!r} {s.confidence:.2f} {check}")
    return 1 if args.fail_on_find and any(found) else 0


def _cmd_mask(args: argparse.Namespace) -> int:
    salt = args.salt if args.salt is not None else os.environ.get("GENSAFE_PII_SALT", "")
    if args.style == "hash" and not salt:
        print("gensafe pii mask: warning: hashing without a salt (--salt or GENSAFE_PII_SALT): identity and phone "
              "numbers are few enough that an unsalted hash can be reversed", file=sys.stderr)
    for line in mask(_texts(args), style=args.style, salt=salt, **_options(args)):
        print(line)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``pii`` and its two actions to the ``gensafe`` parser."""
    pii = sub.add_parser("pii", help="personal information (zh / en): detect spans, mask them")
    actions = pii.add_subparsers(dest="action", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("text", nargs="*", help="texts; none reads lines from stdin")
        p.add_argument("--types", type=_types, default=None, metavar="T1,T2",
                       help=f"only these types, comma-separated (default: all: {','.join(TYPES)})")
        p.add_argument("--keep-invalid", action="store_true",
                       help="also report identity numbers and cards whose checksum fails")
        p.add_argument("--min-confidence", type=float, default=0.0,
                       help="drop weaker findings, e.g. 0.6 (default: %(default)s)")

    det = actions.add_parser("detect", help="print the spans found in each text")
    common(det)
    det.add_argument("--json", action="store_true", help="one JSON line per text")
    det.add_argument("--fail-on-find", action="store_true", help="exit 1 when any text holds personal information")
    det.set_defaults(func=_cmd_detect)

    msk = actions.add_parser("mask", help="print each text with its personal information replaced")
    common(msk)
    msk.add_argument("--style", choices=STYLES, default="mask", help="mask (***), hash or tag (default: %(default)s)")
    msk.add_argument("--salt", default=None, help="hash style: salt (default: $GENSAFE_PII_SALT)")
    msk.set_defaults(func=_cmd_mask)
