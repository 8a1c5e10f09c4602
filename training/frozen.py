"""Training the harm-risk head on a CPU: a cache of frozen lower-layer outputs, length-bucketed batches, the loss.

With the embeddings and the first ``n`` encoder layers frozen, their output for a window never changes, so it is
computed once (eval mode, no dropout) and kept as fp16 token vectors; each training step then runs only the upper
layers. On the 12-layer e5-small with 8 frozen layers a step costs about a third of a full step.

Batches are drawn so that their cost follows the real tokens: each epoch is a permutation of the rows, cut into
"mega-batches" of ``64 x batch_size`` rows that are sorted by length and split into batches, and the batches are then
shuffled (all from one seed, so a resumed run sees the same order).

Example:
    >>> order = bucketed_batches([5, 50, 6, 49, 7, 51, 8, 52], batch_size=2, epochs=1, seed=0, bucket=4)
    >>> sorted(len(b) for b in order), sorted(i for b in order for i in b) == list(range(8))
    ([2, 2, 2, 2], True)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from tqdm import tqdm

from gensafe.windows import pad_batch


def bucketed_batches(lengths: Sequence[int], batch_size: int, epochs: int, seed: int,
                     bucket: int = 64) -> list[np.ndarray]:
    """Row indices per batch for ``epochs`` passes: every row once per epoch, rows of similar length together.

    ``lengths[i]`` is the token count of row ``i`` (all its windows). ``bucket`` batches make one mega-batch.
    """
    rng = np.random.default_rng(seed)
    lengths = np.asarray(lengths)
    batches: list[np.ndarray] = []
    for _ in range(epochs):
        perm = rng.permutation(len(lengths))
        epoch: list[np.ndarray] = []
        span = batch_size * bucket
        for start in range(0, len(perm), span):
            mega = perm[start : start + span]
            mega = mega[np.argsort(lengths[mega], kind="stable")]
            epoch += [mega[i : i + batch_size] for i in range(0, len(mega), batch_size)]
        batches += [epoch[i] for i in rng.permutation(len(epoch))]
    return batches


class LowerCache:
    """fp16 outputs of the frozen lower layers for a list of windows, stored flat (one row per token).

    Args:
        model: A :class:`~gensafe.build.modeling.HarmRiskClassifier` (its :meth:`lower` is used, in eval mode).
        windows: Token ids per window.
        n_layers: Frozen layers below the cut.
        pad_id: Padding id of the tokenizer.
        batch_tokens: Padded tokens per forward pass while building.
    """

    def __init__(self, model: torch.nn.Module, windows: Sequence[list[int]], n_layers: int, pad_id: int,
                 *, batch_tokens: int = 8192, desc: str = "cache") -> None:
        self.lengths = np.array([len(w) for w in windows], dtype=np.int64)
        self.offsets = np.concatenate([[0], np.cumsum(self.lengths)])
        hidden = model.encoder.config.hidden_size
        self.states = torch.empty((int(self.offsets[-1]), hidden), dtype=torch.float16)
        self.n_layers = n_layers
        device = next(model.parameters()).device
        was_training = model.training
        model.eval()
        order = np.argsort(-self.lengths, kind="stable")
        bar = tqdm(total=len(windows), desc=desc, mininterval=10)
        start = 0
        with torch.no_grad():
            while start < len(order):
                width = int(self.lengths[order[start]])
                stop = min(len(order), start + max(1, batch_tokens // max(width, 1)))
                chunk = order[start:stop]
                ids, mask = pad_batch([windows[i] for i in chunk], pad_id)
                out = model.lower(torch.from_numpy(ids).to(device), torch.from_numpy(mask).to(device), n_layers)
                out = out.to("cpu", torch.float16)
                for row, i in enumerate(chunk):
                    self.states[self.offsets[i] : self.offsets[i + 1]] = out[row, : self.lengths[i]]
                bar.update(len(chunk))
                start = stop
        bar.close()
        model.train(was_training)

    def batch(self, window_index: Sequence[int],
              device: str | torch.device = "cpu") -> tuple[torch.Tensor, torch.Tensor]:
        """``(hidden [n, T, H] float32, attention_mask [n, T])`` for these windows, padded to the longest."""
        index = np.asarray(window_index, dtype=np.int64)
        width = int(self.lengths[index].max())
        hidden = torch.zeros((len(index), width, self.states.shape[1]), dtype=torch.float32)
        mask = torch.zeros((len(index), width), dtype=torch.long)
        for row, i in enumerate(index):
            n = int(self.lengths[i])
            hidden[row, :n] = self.states[self.offsets[i] : self.offsets[i + 1]].float()
            mask[row, :n] = 1
        return hidden.to(device), mask.to(device)


def reduce_to_texts(harm: torch.Tensor, risk: torch.Tensor, owners: Sequence[int] | np.ndarray,
                    n_texts: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Window outputs to text outputs: per text the max of its windows' harm logits ``[n_texts]`` and the risk logits
    ``[n_texts, k]`` of the window that gave that max (the window that makes a text unsafe says which risk).
    Differentiable; a text without windows gets harm ``-inf``."""
    harm = harm.squeeze(-1)
    owner = torch.as_tensor(np.asarray(owners, dtype=np.int64), device=harm.device)
    best = torch.full((n_texts,), float("-inf"), device=harm.device)
    best = best.scatter_reduce(0, owner, harm, reduce="amax", include_self=True)
    is_best = harm >= best[owner]  # the first window of each text that reaches its max
    pick = torch.full((n_texts,), len(harm), dtype=torch.long, device=harm.device)
    pick = pick.scatter_reduce(0, owner[is_best], torch.nonzero(is_best).squeeze(-1), reduce="amin")
    return best, risk[pick.clamp(max=len(harm) - 1)]


def cached_text_parts(model: torch.nn.Module, cache: LowerCache, window_index: Sequence[int],
                      owners: Sequence[int], n_texts: int,
                      device: str | torch.device = "cpu") -> tuple[torch.Tensor, torch.Tensor]:
    """:func:`reduce_to_texts` of cached windows run through the upper layers only."""
    hidden, mask = cache.batch(window_index, device)
    return reduce_to_texts(*model.upper(hidden, mask, cache.n_layers), owners, n_texts)


def text_parts(model: torch.nn.Module, windows: Sequence[list[int]], owners: Sequence[int], n_texts: int,
               pad_id: int, device: str | torch.device = "cpu") -> tuple[torch.Tensor, torch.Tensor]:
    """:func:`reduce_to_texts` of windows run through the whole model (no cache: ``freeze_layers = 0``)."""
    ids, mask = pad_batch(list(windows), pad_id)
    parts = model.parts(torch.from_numpy(ids).to(device), torch.from_numpy(mask).to(device))
    return reduce_to_texts(*parts, owners, n_texts)


def harm_risk_loss(harm: torch.Tensor, risk: torch.Tensor, unsafe: torch.Tensor, risk_target: torch.Tensor,
                   risk_weight: float = 1.0) -> torch.Tensor:
    """Binary cross-entropy of the harm logit against unsafe (every row), plus ``risk_weight`` times the
    cross-entropy of the risk softmax against ``risk_target`` (a row's risks, uniform over them; unsafe rows only).

    Example:
        >>> round(float(harm_risk_loss(torch.tensor([0.0]), torch.zeros(1, 2), torch.tensor([1.0]),
        ...                            torch.tensor([[1.0, 0.0]]))), 4)            # log 2 + log 2
        1.3863
    """
    loss = torch.nn.functional.binary_cross_entropy_with_logits(harm, unsafe)
    rows = unsafe > 0.5
    if rows.any():
        log_p = torch.log_softmax(risk[rows], dim=-1)
        loss = loss + risk_weight * -(risk_target[rows] * log_p).sum(dim=-1).mean()
    return loss


@torch.no_grad()
def cached_unsafe_probability(model: torch.nn.Module, cache: LowerCache, text_windows: Sequence[Sequence[int]],
                              *, batch_windows: int = 128, device: str | torch.device = "cpu") -> np.ndarray:
    """P(unsafe) per text (max over its windows) from cached lower layers, in eval mode: cheap dev scoring during
    training. ``text_windows[t]`` lists the cache indices of text ``t``'s windows."""
    was_training = model.training
    model.eval()
    flat = [(t, w) for t, ws in enumerate(text_windows) for w in ws]
    flat.sort(key=lambda tw: -int(cache.lengths[tw[1]]))
    out = np.full(len(text_windows), -np.inf, dtype=np.float64)
    for start in range(0, len(flat), batch_windows):
        part = flat[start : start + batch_windows]
        hidden, mask = cache.batch([w for _, w in part], device)
        harm, _ = model.upper(hidden, mask, cache.n_layers)
        for (t, _), value in zip(part, harm.squeeze(-1).float().cpu().numpy(), strict=True):
            out[t] = max(out[t], float(value))
    model.train(was_training)
    return 1.0 / (1.0 + np.exp(-out))
