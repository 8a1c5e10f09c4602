"""The torch side of a gensafe model: a transformer encoder, mean pooling and a multi-label head.

Needs the ``train`` extra. The ONNX graph that :mod:`gensafe.export` writes is this module's ``forward``.

Example:
    >>> from transformers import BertConfig, BertModel                              # doctest: +SKIP
    >>> enc = BertModel(BertConfig(hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
    ...                            intermediate_size=64, vocab_size=100), add_pooling_layer=False)  # doctest: +SKIP
    >>> model = MeanPoolClassifier(enc, num_labels=31)                               # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

try:
    import torch
    from torch import nn
except ImportError as e:  # pragma: no cover
    raise ImportError("gensafe.modeling needs torch: pip install 'gensafe[train]'") from e

__all__ = ["MeanPoolClassifier", "mean_pool"]


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
