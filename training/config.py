"""Training configuration: one documented dataclass, loaded from TOML and overridden from the command line."""

from __future__ import annotations

import dataclasses
import json
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gensafe.tomlfile import TOMLDecodeError, load_toml, parse_toml

# Settings that change nothing about the trained weights (where outputs go, how often to save, how to export and
# calibrate afterwards, how fast to run): a resume may change these; any other difference is refused.
RUN_ONLY_KEYS = frozenset({"out", "name", "device", "threads", "checkpoint_every", "pause_after", "eval_batch_size",
                           "init_from",
                           "target_recall", "target_precision", "precisions", "compact_fp32", "ship_precisions"})


@dataclass
class TrainConfig:
    """Everything a training run needs; the resolved config is written beside the model.

    Attributes:
        data: Shared data folder (default ``$GENSAFE_DATA``), or a folder written by ``build_data.py``.
        build: ``default`` (commercial-use licences only) or ``research`` (adds non-commercial / research sets).
        sources: Read only these sources (empty = every source of the build).
        use_shared: Read the shared data folder at all (false: train on ``csv_files`` only).
        csv_files: Your own labelled CSV files (columns ``text``, ``labels`` = codes joined by ``;``, optional
            ``lang``, ``role``, ``licence``), added to the shared data.
        base_model: Hugging Face encoder folder or hub id (``base/e5-small-zh-en`` from build_base_encoder.py).
        out: Output folder: checkpoints, the gensafe model folder (``out/model``) and the evaluation report.
        name: Model name written into the manifest.
        layers: Encoder layers to keep: ``all``, ``every2`` or ``"0,1,2"`` (depth reduction before fine-tuning).
        architecture: ``mean-pool`` (v1: one independent logit per risk, masked BCE) or ``harm-risk`` (v2: one
            P(unsafe) trained on every row plus a softmax over the risks trained on unsafe rows; every risk scored;
            see ``gensafe.build.modeling.HarmRiskClassifier``).
        freeze_layers: ``harm-risk`` only: the embeddings and this many lower layers stay frozen and their outputs
            are computed once and cached (``training/frozen.py``), so a step runs only the upper layers. 0 = train
            every layer (no cache: what a GPU host would do).
        risk_loss_weight: ``harm-risk`` only: weight of the risk head's cross-entropy beside the harm loss.
        length_buckets: Draw batches of similar token length (cost follows real tokens, not padding).
        uncapped_sources: Sources exempt from ``max_per_group`` (the project's authored items: the contrast between
            harmful and topic-matched benign texts is the point of them).
        balance_safe: A source's safe stratum keeps at least as many rows as its unsafe strata together (capped
            per stratum, a source with three unsafe strata would otherwise be trained at 3:1 unsafe, and its
            ordinary benign rows flagged).
        exclude_sources: Sources not trained on at all (e.g. a one-sided source whose every row is unsafe: alone it
            teaches that mentioning a group is harm).
        select_sources: Sources left out of training whose train + dev rows form the held-out-source selection set:
            the kept weights are those of the evaluation step with the best mean of dev ROC-AUC and held-out-source
            ROC-AUC of P(unsafe) (``harm-risk``). Their test rows stay in the test split (unseen sources).
        select_every: Evaluate for selection every N steps (a multiple of ``checkpoint_every`` keeps resumes exact).
        select_rows: Rows sampled (seeded) from dev and from the held-out sources for each selection evaluation.
        ema_decay: Keep an exponential moving average of the trainable weights (``training/ema.py``; 0 = off, e.g.
            0.99 averages about the last 100 steps); the selection scores it and ``best/`` keeps it, and without a
            selection the export uses the average of the last step. It is saved with each checkpoint.
        labels: Risk codes for the head; empty = every risk with at least ``min_train_positives`` training positives.
        min_train_positives: Support needed for a risk to get a head output (a risk never trained gets no score).
        max_tokens: Tokens per window during training and in the exported model.
        window_overlap: Overlap of inference windows for long texts.
        text_prefix: Prefix the encoder was pretrained with (e5: ``"query: "``).
        max_per_group: Training rows kept per (source, primary risk) group: balances sources, bounds CPU time.
        hard_negatives: A file written by ``training/hard_negatives.py`` (a model's P(unsafe) for the safe training
            rows of this build's over-cap strata); empty = capped safe strata are a seeded random draw.
        hard_negative_share: Share of each capped safe stratum filled with its highest-scored rows (the rest drawn
            at random, so the ordinary text of a source stays represented).
        hard_negative_labels: The project's blind labels of mined rows (``training/data/labels/hard-negatives.jsonl``):
            in a stratum it covers, only rows both passes judged benign become hard negatives and rows judged
            harmful or disputed are not trained on; other strata take their top rows as they are (about a quarter of
            a comment source's top rows are mislabelled: training/results/hard_negatives_audit.md).
        bias_logits: ``harm-risk`` only: a file written by ``training/bias_logits.py`` (a bag-of-n-grams model's
            out-of-fold logit for every training text). The harm loss is taken on the encoder's logit plus
            ``bias_weight`` times this one (a product of experts), so the encoder learns what the n-grams cannot:
            harm in safe-looking words, safe text in harmful-looking words. Exported models run without it.
        bias_weight: Weight of ``bias_logits`` in the harm loss (1 = the full product of experts; 0 = off).
        near_duplicates: Join near-duplicate texts (character 4-gram Jaccard ≥ 0.6) into one group before splitting,
            so none crosses train / dev / test (default true; false only for toy data made of numbered copies of a
            few sentences, where every copy would land in one split).
        holdout_source: Leave-one-source-out: train without this source and report metrics on it.
        epochs: Passes over the (capped) training set; sets the schedule's length unless ``max_steps`` does.
        max_steps: Length of the run in optimiser steps (0 = ``epochs`` decide): the learning rate decays to zero at
            this step. Fixed once a run has started (a resume with another value is refused); to train further,
            start a new run with ``init_from``.
        init_from: A finished run's checkpoint folder (``<out>/checkpoint``) whose weights start this run (the labels
            must match); optimiser, schedule and data order start afresh. How to add epochs to a finished model.
        pause_after: Save a checkpoint and stop after this many steps of this invocation (0 = run to the end);
            rerunning the command resumes exactly where it stopped. Time-boxes a long run without changing it.
        batch_size: Examples per optimiser step.
        lr: Peak learning rate of the encoder.
        head_lr: Learning rate of the new classification head (it starts from scratch).
        weight_decay: AdamW weight decay.
        warmup_ratio: Fraction of steps of linear warm-up.
        freeze_embeddings: Keep the word-embedding table frozen (faster on CPU, keeps zh/en alignment).
        pos_weight_cap: Upper bound on the per-risk positive weight of the BCE loss (negatives / positives).
        seed: Seed for sampling, shuffling and initialisation.
        device: ``auto``, ``cpu`` or ``cuda``.
        threads: torch intra-op threads on CPU (0 = torch's default).
        checkpoint_every: Save a resumable safetensors checkpoint every N steps (and at the last step).
        eval_batch_size: Batch size for dev / test prediction.
        target_recall: ``strict`` operating point: highest threshold with this recall on dev.
        target_precision: ``loose`` operating point: lowest threshold with this precision on dev.
        precisions: ONNX precisions to export (``fp32``, ``int8``, ``fp16``).
        compact_fp32: Store the fp32 graph with fp16 weights and int8 embedding rows (it still computes in fp32;
            ~2.5x smaller) and let int8 be derived from it on first use instead of shipping it.
        ship_precisions: Precisions kept in the final folder (others are deleted after the parity check).
    """

    data: str = ""
    build: str = "default"
    sources: list[str] = field(default_factory=list)
    use_shared: bool = True
    csv_files: list[str] = field(default_factory=list)
    near_duplicates: bool = True
    base_model: str = "base/e5-small-zh-en"
    out: str = "runs/default"
    name: str = "gensafe-zh-en"
    layers: str = "all"
    labels: list[str] = field(default_factory=list)
    architecture: str = "mean-pool"
    freeze_layers: int = 0
    risk_loss_weight: float = 1.0
    length_buckets: bool = False
    uncapped_sources: list[str] = field(default_factory=list)
    balance_safe: bool = False
    exclude_sources: list[str] = field(default_factory=list)
    select_sources: list[str] = field(default_factory=list)
    select_every: int = 0
    select_rows: int = 4000
    ema_decay: float = 0.0
    min_train_positives: int = 80
    max_tokens: int = 128
    window_overlap: int = 16
    text_prefix: str = "query: "
    max_per_group: int = 2500
    hard_negatives: str = ""
    hard_negative_share: float = 0.5
    hard_negative_labels: str = ""
    bias_logits: str = ""
    bias_weight: float = 1.0
    holdout_source: str = ""
    epochs: float = 1.0
    max_steps: int = 0
    init_from: str = ""
    pause_after: int = 0
    batch_size: int = 16
    lr: float = 5e-5
    head_lr: float = 1e-3
    weight_decay: float = 0.01
    warmup_ratio: float = 0.06
    freeze_embeddings: bool = True
    pos_weight_cap: float = 10.0
    seed: int = 0
    device: str = "auto"
    threads: int = 0
    checkpoint_every: int = 500
    eval_batch_size: int = 64
    target_recall: float = 0.9
    target_precision: float = 0.9
    precisions: list[str] = field(default_factory=lambda: ["fp32", "int8"])
    compact_fp32: bool = False
    ship_precisions: list[str] = field(default_factory=lambda: ["fp32", "int8"])

    @classmethod
    def load(cls, path: str | Path | None = None, overrides: list[str] | None = None) -> TrainConfig:
        """Defaults, then the TOML file, then ``key=value`` overrides (values parsed as TOML, strings bare)."""
        values: dict[str, Any] = {}
        if path:
            values.update(load_toml(path))
        for item in overrides or []:
            key, _, raw = item.partition("=")
            try:
                values[key.strip()] = parse_toml(f"v = {raw}")["v"]
            except TOMLDecodeError:
                values[key.strip()] = raw
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(values) - names
        if unknown:
            raise ValueError(f"unknown config keys {sorted(unknown)}; valid keys: {sorted(names)}")
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def training_differences(self, saved: dict[str, Any]) -> list[str]:
        """Keys whose value differs from ``saved`` (a checkpoint's config) and that change training, i.e. every key
        but :data:`RUN_ONLY_KEYS`. A key missing from ``saved`` counts as different unless this config has its
        default value (a checkpoint written before the key existed).

        Example:
            >>> TrainConfig(lr=1e-4, out="b").training_differences(TrainConfig(out="a").to_dict())
            ['lr']
        """
        defaults = TrainConfig().to_dict()
        mine = self.to_dict()
        return [k for k, v in mine.items()
                if k not in RUN_ONLY_KEYS and saved.get(k, defaults[k]) != v]

    def command(self) -> str:
        """The ``train.py`` command line that reproduces this config: every value that differs from the defaults.

        Example:
            >>> print(TrainConfig(max_steps=100, layers="every2", precisions=["fp32"]).command())
            python training/train.py layers=every2 max_steps=100 'precisions=["fp32"]'
        """
        defaults = TrainConfig().to_dict()
        items = [f"{k}={_toml_value(v)}" for k, v in self.to_dict().items() if v != defaults[k]]
        return " ".join(["python training/train.py", *map(shlex.quote, items)])


def _toml_value(value: Any) -> str:
    """A value as ``load`` reads it back from ``key=value``: bare strings where that is unambiguous."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        try:
            parse_toml(f"v = {value}")
        except TOMLDecodeError:
            return value  # read back as the bare string
        return json.dumps(value, ensure_ascii=False)  # would parse as another type (or a quoted string): quote it
    return json.dumps(value, ensure_ascii=False)  # numbers; lists of strings / numbers (JSON arrays are TOML arrays)
