"""Build-time code: torch model, ONNX export and tiny test models. Needs the ``train`` extra (torch, transformers).

Run-time gensafe (``gensafe.load``, ``predict``, serving, scanning) never imports this package, so a serving host
needs no torch.

* :mod:`gensafe.build.modeling` — the torch classifier whose ``forward`` is the exported graph;
* :mod:`gensafe.build.export` — writes a self-describing model folder (ONNX per precision, manifest, hashes);
* :mod:`gensafe.build.testing` — tiny random models and tokenizers for offline tests.
"""
