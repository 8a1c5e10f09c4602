"""The PyTorch baseline rebuilt from a shipped gensafe model folder: no training run needed, the same weights.

The rebuild itself is :mod:`gensafe.build.from_graph` (also used to continue training from a shipped folder); this
module adds :func:`check_parity`, which compares the rebuilt model's logits with the graph's before anything is timed.

Example:
    >>> model, info = torch_from_folder("models/gensafe-zh-en-v5w")       # doctest: +SKIP
    >>> info["config"]["num_hidden_layers"], info["architecture"]          # doctest: +SKIP
    (12, 'harm-risk')
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gensafe.build.from_graph import (
    bert_config,
    graph_weights,
    max_logit_difference,
    state_dict_from_graph,
    torch_from_folder,
)

__all__ = ["bert_config", "check_parity", "graph_weights", "state_dict_from_graph", "torch_from_folder"]


def check_parity(model: Any, session: Any, batches: list[tuple[np.ndarray, np.ndarray]], tol: float = 1e-3) -> float:
    """Largest |torch logit − ONNX logit| over ``batches`` (padded ids, mask); raises when it exceeds ``tol``."""
    worst = max_logit_difference(model, session, batches)
    if worst > tol:
        raise SystemExit(f"the rebuilt torch model differs from the ONNX graph by {worst:.2e} > {tol} in a logit")
    return worst
