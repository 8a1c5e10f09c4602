"""An exponential moving average of a model's trainable weights, to select and export a smoother model.

Why: the held-out-source ROC-AUC that picks a run's kept step swings by up to 0.19 between checkpoints 150 steps
apart while dev moves by 0.005 (``training/results/v8_v9_dev.md``), so the step kept is partly the luck of the step.
The average of the last ~``1 / (1 - decay)`` steps' weights moves slowly; scoring and keeping it instead of the
raw weights selects among smooth models (as model soups and WiSE-FT average finished runs, but inside one run).

Only parameters with ``requires_grad`` are averaged (frozen layers never change); the average starts as a copy of
the weights at the first step and its decay warms up with the step count, ``min(decay, (1 + t) / (10 + t))``, so
early steps (where the weights are still the starting ones) do not dominate it. The decay is a function of the
step alone and the average is saved with each checkpoint, so a resumed run ends with the average an uninterrupted
run would have had.

Example:
    >>> import torch
    >>> layer = torch.nn.Linear(2, 1)
    >>> avg = WeightAverage(layer, decay=0.9)
    >>> with torch.no_grad():
    ...     _ = layer.weight.add_(1.0)
    >>> avg.update(layer, step=1)  # the average moves a fraction of the way towards the new weights
    >>> with avg.swapped_in(layer):  # the averaged weights, inside the block only
    ...     inside = layer.weight.clone()
    >>> bool((inside < layer.weight).all())
    True
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch


class WeightAverage:
    """EMA of ``model``'s trainable parameters (fp32, on the parameters' device)."""

    def __init__(self, model: torch.nn.Module, decay: float):
        if not 0.0 < decay < 1.0:
            raise ValueError(f"decay must be between 0 and 1 (exclusive), got {decay}")
        self.decay = decay
        self.shadow = {n: p.detach().float().clone() for n, p in model.named_parameters() if p.requires_grad}

    def decay_at(self, step: int) -> float:
        """The decay applied after optimiser step ``step`` (1-based): warms up from 0.18 towards ``decay``."""
        return min(self.decay, (1 + step) / (10 + step))

    @torch.no_grad()
    def update(self, model: torch.nn.Module, step: int) -> None:
        """Fold the weights after optimiser step ``step`` into the average."""
        d = self.decay_at(step)
        for name, p in model.named_parameters():
            if name in self.shadow:
                self.shadow[name].lerp_(p.detach().float(), 1.0 - d)

    @contextmanager
    @torch.no_grad()
    def swapped_in(self, model: torch.nn.Module) -> Iterator[None]:
        """Run the block with the averaged weights in ``model``; the raw weights are back afterwards (also on error)."""
        params = dict(model.named_parameters())
        raw = {n: params[n].detach().clone() for n in self.shadow}
        try:
            self.copy_to(model)
            yield
        finally:
            for n, v in raw.items():
                params[n].copy_(v)

    @torch.no_grad()
    def copy_to(self, model: torch.nn.Module) -> None:
        """Put the averaged weights into ``model`` for good (to export them)."""
        params = dict(model.named_parameters())
        for n, v in self.shadow.items():
            params[n].copy_(v.to(params[n].dtype))

    def state_dict(self) -> dict[str, torch.Tensor]:
        """Tensors to save (safetensors) beside a checkpoint."""
        return {n: v.contiguous().cpu() for n, v in self.shadow.items()}

    def load_state_dict(self, tensors: dict[str, torch.Tensor]) -> None:
        """Restore a saved average; refuses one of other parameters (a run trained with other frozen layers)."""
        if tensors.keys() != self.shadow.keys():
            missing, extra = sorted(self.shadow.keys() - tensors.keys()), sorted(tensors.keys() - self.shadow.keys())
            raise ValueError(f"the saved weight average does not match this model's trainable parameters "
                             f"(missing {missing[:3]}, unexpected {extra[:3]})")
        for n, v in tensors.items():
            self.shadow[n].copy_(v)
