"""The torch side of a gensafe model: a transformer encoder, mean pooling and a head.

Two heads exist. :class:`MeanPoolClassifier` (v1): one independent logit per risk. :class:`HarmRiskClassifier` (v2):
one probability that the text is unsafe and a distribution over the risks, combined into per-risk scores whose maximum
is the unsafe probability (see its docstring).

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

__all__ = ["MeanPoolClassifier", "HarmRiskClassifier", "ARCHITECTURES", "combine_harm_risk", "mean_pool",
           "text_windows", "max_over_windows", "text_logits"]


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Average of token vectors where ``mask`` is 1 (padding ignored), as e5 encoders were trained to be read."""
    weights = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-6)


def _init_head(layer: nn.Linear) -> None:
    """A new head starts small (std 0.02, zero bias), as BERT initialises its own layers."""
    nn.init.normal_(layer.weight, std=0.02)
    nn.init.zeros_(layer.bias)


class _PooledEncoder(nn.Module):
    """What both classifiers share: the encoder, dropout before the head(s), and whether to feed token types."""

    def __init__(self, encoder: nn.Module, dropout: float) -> None:
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(dropout)

    @property
    def uses_token_type_ids(self) -> bool:
        """Whether the encoder takes ``token_type_ids`` (BERT does, XLM-R effectively does not)."""
        return getattr(self.encoder.config, "type_vocab_size", 0) > 1


class MeanPoolClassifier(_PooledEncoder):
    """Encoder → mean pooling → dropout → linear head with one logit per risk (sigmoid at inference).

    Args:
        encoder: A Hugging Face encoder (``BertModel``, ``XLMRobertaModel``, …) returning ``last_hidden_state``.
        num_labels: Number of risk codes the head scores.
        dropout: Dropout before the head during training.
    """

    architecture = "mean-pool"

    def __init__(self, encoder: nn.Module, num_labels: int, dropout: float = 0.1) -> None:
        super().__init__(encoder, dropout)
        self.head = nn.Linear(encoder.config.hidden_size, num_labels)
        _init_head(self.head)

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


def combine_harm_risk(harm: torch.Tensor, risk: torch.Tensor) -> torch.Tensor:
    """Per-risk logits from a harm logit ``[n, 1]`` and risk logits ``[n, k]``.

    ``score_r = P(unsafe) * P(r | unsafe) / max_j P(j | unsafe)`` with ``P(unsafe) = sigmoid(harm)`` and
    ``P(. | unsafe) = softmax(risk)``: the top risk's score *is* P(unsafe), so "some risk at or above threshold t" is
    exactly "P(unsafe) >= t" when every risk shares t (the operating points do), and a risk is reported beside the top
    one only while the risk head gives it at least ``t / P(unsafe)`` of the top risk's weight. Returned as logits so
    that the runtime's sigmoid gives ``score_r`` back.

    With ``d_r = risk_r - max_j risk_j <= 0`` the logit is ``d_r - log(1 - exp(d_r) + exp(-harm))``: for the top risk
    (``d = 0``) exactly ``harm``, with no cancellation (``log s - log(1 - s)`` loses the digits of ``1 - s`` when the
    text is clearly unsafe and ``s`` is near 1).

    Example:
        >>> p = torch.sigmoid(combine_harm_risk(torch.tensor([[2.0]]), torch.tensor([[3.0, 3.0, 0.0]])))
        >>> [round(v, 3) for v in p[0].tolist()]    # sigmoid(2) = 0.881 for both top risks
        [0.881, 0.881, 0.044]
    """
    d = risk - risk.max(dim=-1, keepdim=True).values
    # harm clamped so exp(-harm) stays finite in fp32; the floor keeps the log finite (logits <= ~69)
    rest = 1.0 - torch.exp(d) + torch.exp(-harm.clamp(-80.0, 80.0))
    return d - torch.log(rest.clamp(min=1e-30))


class HarmRiskClassifier(_PooledEncoder):
    """Encoder → mean pooling → dropout → a harm head (1 logit: is the text unsafe?) and a risk head (one logit per
    risk, read as a softmax over the risks: which risk, given that it is unsafe). ``forward`` returns per-risk
    logits (:func:`combine_harm_risk`), the same contract as :class:`MeanPoolClassifier`, so export, runtime and
    policies need nothing new.

    For training on a CPU, :meth:`lower` runs the embeddings and the first ``n`` layers and :meth:`upper` the rest
    plus both heads (``upper(lower(x, n), n)`` equals the full model): frozen lower layers are computed once and
    cached (``training/frozen.py``).

    Args:
        encoder: A Hugging Face BERT-style encoder (``embeddings`` + ``encoder.layer``).
        num_labels: Number of risk codes.
        dropout: Dropout before the heads during training.
    """

    architecture = "harm-risk"

    def __init__(self, encoder: nn.Module, num_labels: int, dropout: float = 0.1) -> None:
        super().__init__(encoder, dropout)
        hidden = encoder.config.hidden_size
        # both layers are built before either is initialised: the random stream, and so a seeded run, stays as it was
        self.harm = nn.Linear(hidden, 1)
        self.head = nn.Linear(hidden, num_labels)  # the risk head; named like v1's so tooling finds the width
        _init_head(self.harm)
        _init_head(self.head)

    def _layer_mask(self, attention_mask: torch.Tensor, hidden: torch.Tensor) -> Any:
        """The attention mask in the form the encoder's layers take (it depends on the attention implementation)."""
        mask, _ = self.encoder._create_attention_masks(attention_mask=attention_mask, encoder_attention_mask=None,
                                                       embedding_output=hidden, encoder_hidden_states=None,
                                                       cache=None)
        return mask

    def _run_layers(self, hidden: torch.Tensor, attention_mask: torch.Tensor, start: int, stop: int) -> torch.Tensor:
        mask = self._layer_mask(attention_mask, hidden)
        for layer in self.encoder.encoder.layer[start:stop]:
            out = layer(hidden, attention_mask=mask)
            hidden = out[0] if isinstance(out, tuple) else out
        return hidden

    def lower(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, n_layers: int,
              token_type_ids: torch.Tensor | None = None) -> torch.Tensor:
        """Hidden states after the embeddings and the first ``n_layers`` layers."""
        hidden = self.encoder.embeddings(input_ids=input_ids, token_type_ids=token_type_ids)
        return self._run_layers(hidden, attention_mask, 0, n_layers)

    def upper(self, hidden: torch.Tensor, attention_mask: torch.Tensor,
              start: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Layers ``start..`` then pooling and both heads: ``(harm logit [n, 1], risk logits [n, k])``."""
        hidden = self._run_layers(hidden, attention_mask, start, len(self.encoder.encoder.layer))
        pooled = self.dropout(mean_pool(hidden, attention_mask))
        return self.harm(pooled), self.head(pooled)

    def parts(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
              token_type_ids: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """``(harm logit, risk logits)`` of the whole model."""
        return self.upper(self.lower(input_ids, attention_mask, 0, token_type_ids), attention_mask, 0)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        token_type_ids: torch.Tensor | None = None,
    ) -> torch.Tensor:
        return combine_harm_risk(*self.parts(input_ids, attention_mask, token_type_ids))


# The head classes by the name a manifest records (``provenance.architecture``; absent = "mean-pool").
ARCHITECTURES: dict[str, type[nn.Module]] = {"mean-pool": MeanPoolClassifier, "harm-risk": HarmRiskClassifier}


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
    model: nn.Module,
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
    model: nn.Module, encoder: WindowEncoder, texts: Sequence[str], prefix: str = "", *, batch_size: int = 64
) -> np.ndarray:
    """Per-text logits ``[len(texts), num_labels]`` as float32 numpy, computed the way gensafe scores a text: the max
    over every window of it (long texts included; blank texts ``-inf``, i.e. score 0). Put the model in eval mode
    first; ``sigmoid`` of the result is what ``Classifier.predict`` returns for the exported graph.
    """
    windows, owners = text_windows(encoder, texts, prefix)
    logits = max_over_windows(model, windows, owners, len(texts), encoder.pad_id, batch_size=batch_size)
    return logits.cpu().numpy().astype(np.float32)
