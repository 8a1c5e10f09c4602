"""The torch side of a gensafe model: a transformer encoder, mean pooling and a multi-label head.

Needs the ``train`` extra. The ONNX graph that :mod:`gensafe.build.export` writes is this module's ``forward``.

Example:
    >>> from transformers import BertConfig, BertModel                              # doctest: +SKIP
    >>> enc = BertModel(BertConfig(hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
    ...                            intermediate_size=64, vocab_size=100), add_pooling_layer=False)  # doctest: +SKIP
    >>> model = MeanPoolClassifier(enc, num_labels=31)                               # doctest: +SKIP
    >>> windows = WindowEncoder("tokenizer.json", max_tokens=128, overlap=16)        # doctest: +SKIP
    >>> text_logits(model.eval(), windows, ["a text", "a long text …"], "query: ").shape  # doctest: +SKIP
    (2, 31)

:func:`text_logits` is the one torch implementation of how gensafe scores a text (the max over every window of it);
training (:func:`max_over_windows`, differentiable), calibration, the export parity check and the tiny test models
all go through it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..text import clean_text, is_blank
from ..windows import WindowEncoder, pad_batch

try:
    import torch
    from torch import nn
except ImportError as e:  # pragma: no cover
    raise ImportError("gensafe.build.modeling needs torch: pip install 'gensafe[train]'") from e

__all__ = ["MeanPoolClassifier", "mean_pool", "text_windows", "max_over_windows", "text_logits"]


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Average of token vectors where ``mask`` is 1 (padding ignored), as e5 encoders were trained to be read."""
    weights = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-6)


class MeanPoolClassifier(nn.Module):
    """Encoder → mean pooling → dropout → linear head with one logit per risk (sigmoid at inference).

    Args:
        encoder: A Hugging Face encoder (``BertModel``, ``XLMRobertaModel``, …) returning ``last_hidden_state``.
        num_labels: Number of risk codes the head scores.
        dropout: Dropout before the head during training.
    """

    def __init__(self, encoder: nn.Module, num_labels: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = encoder
        hidden = encoder.config.hidden_size
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden, num_labels)
        nn.init.normal_(self.head.weight, std=0.02)
        nn.init.zeros_(self.head.bias)

    @property
    def uses_token_type_ids(self) -> bool:
        """Whether the encoder takes ``token_type_ids`` (BERT does, XLM-R effectively does not)."""
        return getattr(self.encoder.config, "type_vocab_size", 0) > 1

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        token_type_ids: torch.Tensor | None = None,
    ) -> torch.Tensor:
        kwargs: dict[str, Any] = {"input_ids": input_ids, "attention_mask": attention_mask}
        if token_type_ids is not None:
            kwargs["token_type_ids"] = token_type_ids
        hidden = self.encoder(**kwargs).last_hidden_state
        return self.head(self.dropout(mean_pool(hidden, attention_mask)))


def text_windows(encoder: WindowEncoder, texts: Sequence[str], prefix: str = "") -> tuple[list[list[int]], np.ndarray]:
    """Every window of every text exactly as ``Classifier.predict`` makes them: text cleaned (``clean_text``), blank
    texts skipped (no window: gensafe scores them 0), ``prefix`` placed by the encoder.

    Returns the windows and ``owners`` (``owners[i]`` is the index in ``texts`` of window ``i``).
    """
    cleaned = [clean_text(t) for t in texts]
    live = [i for i, t in enumerate(cleaned) if not is_blank(t)]
    ids: list[list[int]] = []
    owners: list[np.ndarray] = []
    for block in encoder.blocks([cleaned[i] for i in live], live, prefix):
        ids += block.ids
        owners.append(block.owners)
    return ids, (np.concatenate(owners) if owners else np.zeros(0, dtype=np.int64))


def max_over_windows(
    model: MeanPoolClassifier,
    windows: Sequence[list[int]],
    owners: Sequence[int] | np.ndarray,
    n_texts: int,
    pad_id: int,
    *,
    batch_size: int | None = None,
) -> torch.Tensor:
    """Logits ``[n_texts, num_labels]``: for each text the element-wise max of its windows' logits (``-inf`` for a
    text without windows), on the model's device.

    Differentiable: in training the gradient of each risk's logit flows into the text's highest-scoring window for
    that risk, so the loss is computed on exactly the score gensafe shows at inference. ``batch_size`` runs the
    windows in length-sorted chunks (all at once when ``None``, as a training step does).
    """
    device = next(model.parameters()).device
    owner_index = torch.as_tensor(np.asarray(owners, dtype=np.int64), device=device)
    order = np.argsort([-len(w) for w in windows], kind="stable")  # similar lengths share a chunk: little padding
    step = batch_size or max(1, len(windows))
    parts, part_owners = [], []
    for start in range(0, len(windows), step):
        chunk = order[start : start + step]
        ids, mask = pad_batch([windows[i] for i in chunk], pad_id)
        batch = {"input_ids": torch.from_numpy(ids).to(device), "attention_mask": torch.from_numpy(mask).to(device)}
        if model.uses_token_type_ids:
            batch["token_type_ids"] = torch.zeros_like(batch["input_ids"])
        parts.append(model(**batch).float())
        part_owners.append(owner_index[torch.from_numpy(chunk).to(device)])
    width = model.head.out_features
    out = torch.full((n_texts, width), float("-inf"), device=device)
    if not parts:
        return out
    logits, index = torch.cat(parts), torch.cat(part_owners)
    return out.scatter_reduce(0, index.unsqueeze(1).expand(-1, width), logits, reduce="amax", include_self=False)


@torch.no_grad()
def text_logits(
    model: MeanPoolClassifier, encoder: WindowEncoder, texts: Sequence[str], prefix: str = "", *, batch_size: int = 64
) -> np.ndarray:
    """Per-text logits ``[len(texts), num_labels]`` as float32 numpy, computed the way gensafe scores a text: the max
    over every window of it (long texts included; blank texts ``-inf``, i.e. score 0). Put the model in eval mode
    first; ``sigmoid`` of the result is what ``Classifier.predict`` returns for the exported graph.
    """
    windows, owners = text_windows(encoder, texts, prefix)
    logits = max_over_windows(model, windows, owners, len(texts), encoder.pad_id, batch_size=batch_size)
    return logits.cpu().numpy().astype(np.float32)
