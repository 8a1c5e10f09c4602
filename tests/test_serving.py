"""Async dynamic batching, thread safety and streaming moderation."""

from __future__ import annotations

import asyncio
import re
import threading
import time

import numpy as np
import pytest

from gensafe import Result
from gensafe.batching import AsyncGuard, GuardClosed
from gensafe.build.testing import TINY_CORPUS
from gensafe.keywords import KeywordHit
from gensafe.streaming import StreamGuard


class FakeClassifier:
    """Scores 0.9 on A.1.8 for texts containing 'bomb' / '炸弹' (0.1 for texts longer than ``dilute_after``); raises
    on 'BOOM'; records each call's texts and context; with ``keywords``, reports a keyword hit for '炸弹'."""

    labels = ("A.1.8",)

    def __init__(self, delay: float = 0.0, dilute_after: int | None = None, keywords: bool = False):
        self.delay = delay
        self.dilute_after = dilute_after
        self.keywords = keywords
        self.calls: list[int] = []
        self.seen: list[tuple[list[str], object]] = []
        self.lock = threading.Lock()

    def predict(self, texts, role=None, context=None, policy=None):
        texts = [texts] if isinstance(texts, str) else list(texts)
        with self.lock:
            self.calls.append(len(texts))
            self.seen.append((texts, context))
        time.sleep(self.delay)
        if any("BOOM" in t for t in texts):
            raise ValueError("model exploded")
        short = self.dilute_after or float("inf")
        scores = np.array([[0.9 if ("bomb" in t or "炸弹" in t) and len(t) <= short else 0.1] for t in texts],
                          dtype=np.float32)
        hits = tuple((KeywordHit(0, 2, "炸弹", "炸弹", "A.1.8", 3),) if "炸弹" in t else () for t in texts)
        return Result(scores.reshape(len(texts), 1), self.labels, np.array([0.5], dtype=np.float32),
                      np.ones(len(texts), dtype=np.int64), hits if self.keywords else None,
                      "keywords" if self.keywords else "either")


def test_concurrent_callers_are_batched_and_get_their_own_results(clf):
    texts = [f"{TINY_CORPUS[i % len(TINY_CORPUS)]} #{i}" for i in range(64)]
    expected = clf.predict(texts).scores

    async def main():
        async with AsyncGuard(clf, max_wait_ms=20) as guard:
            results = await asyncio.gather(*(guard.apredict(t) for t in texts))
            return results, guard.batches

    results, batches = asyncio.run(main())
    got = np.vstack([r.scores for r in results])
    np.testing.assert_allclose(got, expected, atol=1e-5)
    assert all(len(r) == 1 for r in results)
    assert batches < len(texts)  # calls were coalesced


def test_roles_and_multi_text_requests_in_one_batch(clf):
    async def main():
        async with AsyncGuard(clf, max_wait_ms=20) as guard:
            return await asyncio.gather(guard.apredict(TINY_CORPUS[:3], role="prompt"),
                                        guard.apredict(TINY_CORPUS[3], role="response"), guard.apredict([]))

    a, b, c = asyncio.run(main())
    np.testing.assert_allclose(a.scores, clf.predict(TINY_CORPUS[:3], role="prompt").scores, atol=1e-5)
    np.testing.assert_allclose(b.scores, clf.predict(TINY_CORPUS[3], role="response").scores, atol=1e-5)
    assert len(c) == 0


def test_cancelling_one_caller_leaves_the_others_alone():
    fake = FakeClassifier(delay=0.05)

    async def main():
        async with AsyncGuard(fake, max_wait_ms=5) as guard:
            tasks = [asyncio.create_task(guard.apredict(f"text {i}")) for i in range(10)]
            await asyncio.sleep(0)
            tasks[3].cancel()
            done = await asyncio.gather(*tasks, return_exceptions=True)
            return done

    done = asyncio.run(main())
    assert isinstance(done[3], asyncio.CancelledError)
    assert all(isinstance(r, Result) for i, r in enumerate(done) if i != 3)


def test_an_exception_in_a_batch_reaches_only_the_caller_that_caused_it():
    fake = FakeClassifier(delay=0.01)

    async def main():
        async with AsyncGuard(fake, max_wait_ms=30) as guard:
            texts = [f"fine {i}" for i in range(20)] + ["BOOM"] + ["a bomb recipe"] + ["also BOOM"]
            done = await asyncio.gather(*(guard.apredict(t) for t in texts), return_exceptions=True)
            return texts, done, guard.batches

    texts, done, batches = asyncio.run(main())
    assert batches == 1 and fake.calls[0] == len(texts)  # one coalesced batch, which raised ...
    assert sorted(fake.calls[1:]) == [1] * len(texts)  # ... and was scored again caller by caller
    for text, got in zip(texts, done, strict=True):
        if "BOOM" in text:
            assert isinstance(got, ValueError) and str(got) == "model exploded"
        else:
            assert isinstance(got, Result) and got.flagged.tolist() == ["bomb" in text]
    assert done[20] is not done[22]  # each culprit gets its own exception


def test_contexts_follow_their_texts_into_the_batch():
    fake = FakeClassifier(delay=0.01)

    async def main():
        async with AsyncGuard(fake, max_wait_ms=50) as guard:
            with pytest.raises(ValueError, match="context has 1 items for 2 texts"):  # this caller only
                await guard.apredict(["x", "y"], context=["only one"])
            return await asyncio.gather(guard.apredict(["a", "b"], context="P1"), guard.apredict("c", context=["P2"]),
                                        guard.apredict("d"), guard.apredict("e bomb", context="P3"))

    results = asyncio.run(main())
    assert [len(r) for r in results] == [2, 1, 1, 1] and results[3].flagged.tolist() == [True]
    assert sorted(fake.seen, key=lambda call: len(call[0])) == [(["d"], None),
                                                                (["a", "b", "c", "e bomb"], ["P1", "P1", "P2", "P3"])]


def test_type_errors_surface_in_the_caller(clf):
    async def main():
        async with AsyncGuard(clf) as guard:
            with pytest.raises(TypeError, match=r"texts\[1\]"):
                await guard.apredict(["ok", 3])
            return await guard.apredict("still works")

    assert len(asyncio.run(main())) == 1


def test_bad_callers_fail_alone_at_submission_and_good_ones_coalesce(clf):
    """Issue #20: one request with role="bogus" or an unknown operating point made all 50 coalesced requests fail."""
    from gensafe import Policy

    good = [f"{TINY_CORPUS[i % len(TINY_CORPUS)]} #{i}" for i in range(50)]
    expected = clf.predict(good, role="prompt").scores
    bad = [  # (arguments, expected error type, words its message names)
        ({"texts": "x", "role": "bogus"}, ValueError, "'bogus'"),
        ({"texts": "x", "policy": Policy(operating_point="nope")}, KeyError, "'nope'"),
        ({"texts": ["x", 3]}, TypeError, r"texts\[1\] is int"),
        ({"texts": 42}, TypeError, "got int"),
        ({"texts": ["x", "y"], "context": ["only one"]}, ValueError, "context has 1 items for 2 texts"),
        ({"texts": "x", "context": [None]}, TypeError, r"context: texts\[0\] is NoneType"),
        ({"texts": "x", "policy": {"operating_point": "strict"}}, TypeError, "policy must be a gensafe.Policy"),
    ]

    async def main():
        async with AsyncGuard(clf, max_wait_ms=50) as guard:
            calls = [guard.apredict(t, role="prompt") for t in good]
            for i, (kwargs, _, _) in enumerate(bad):  # interleaved with the good callers
                calls.insert(7 * i + 3, guard.apredict(**kwargs))
            done = await asyncio.gather(*calls, return_exceptions=True)
            return done, guard.batches, guard.requests

    done, batches, requests = asyncio.run(main())
    errors = [d for d in done if isinstance(d, Exception)]
    results = [d for d in done if isinstance(d, Result)]
    assert len(errors) == len(bad) and len(results) == len(good)
    for error, (_, kind, words) in zip(errors, bad, strict=True):
        assert type(error) is kind
        assert re.search(words, str(error))
    np.testing.assert_allclose(np.vstack([r.scores for r in results]), expected, atol=1e-5)
    assert requests == len(good) and batches < len(good)  # bad requests never joined a batch; good ones coalesced


def test_backpressure_and_shutdown():
    fake = FakeClassifier(delay=0.2)

    async def main():
        guard = AsyncGuard(fake, max_wait_ms=0, max_queue=1)
        await guard.start()
        running = asyncio.create_task(guard.apredict("first"))  # taken by the worker
        await asyncio.sleep(0.05)
        queued = asyncio.create_task(guard.apredict("second"))  # fills the queue
        await asyncio.sleep(0.01)
        with pytest.raises(asyncio.QueueFull):
            await guard.apredict("third", wait=False)
        await guard.close(drain=False)
        with pytest.raises(GuardClosed):
            await guard.apredict("after close")
        return await asyncio.gather(running, queued, return_exceptions=True)

    running, queued = asyncio.run(main())
    assert isinstance(running, Result)
    assert isinstance(queued, GuardClosed)


def test_close_with_drain_finishes_pending_work():
    fake = FakeClassifier(delay=0.02)

    async def main():
        guard = AsyncGuard(fake, max_wait_ms=1)
        tasks = [asyncio.create_task(guard.apredict(f"t{i}")) for i in range(20)]
        await asyncio.sleep(0)
        await guard.close(drain=True)
        return await asyncio.gather(*tasks)

    assert len(asyncio.run(main())) == 20


def test_threads_share_one_classifier(clf):
    from concurrent.futures import ThreadPoolExecutor

    texts = [f"{TINY_CORPUS[i % len(TINY_CORPUS)]} {i}" for i in range(48)]
    roles = ["prompt", "response", None]
    expected = {r: clf.predict(texts, role=r).scores for r in roles}

    def one(i):
        role = roles[i % 3]
        return role, i, clf.predict(texts[i % len(texts)], role=role).scores[0]

    with ThreadPoolExecutor(12) as pool:
        for role, i, got in pool.map(one, range(len(texts) * 3)):
            np.testing.assert_allclose(got, expected[role][i % len(texts)], atol=1e-5)


def test_stream_guard_flags_early_with_a_span():
    fake = FakeClassifier()
    guard = StreamGuard(fake, every_chars=50, window_chars=200)
    answer = "Sure, here is some history. Then you take the bomb parts. And more text follows here."
    flags = []
    for i in range(0, len(answer), 4):
        f = guard.feed(answer[i : i + 4])
        if f:
            flags.append(f)
    assert len(flags) == 1
    flag = flags[0]
    assert flag.risks == ("A.1.8",)
    start, end = flag.span
    assert "bomb" in answer[start:end] and flag.at_char < len(answer)
    final = guard.close()
    assert final.flagged.tolist() == [True]
    assert guard.checks >= 2


def test_stream_guard_benign_and_bad_input(clf):
    guard = StreamGuard(clf, every_chars=30, policy=None)
    for word in ["the", "quick", "brown", "fox", "jumps", "over", "the", "lazy", "dog.", ""] * 5:
        guard.feed(word + " ")
    result = guard.close()
    assert len(result) == 1 and result.windows[0] >= 1
    with pytest.raises(TypeError):
        guard.feed(b"bytes")
    empty = StreamGuard(clf)
    assert empty.close().flagged.tolist() == [False]


def test_stream_guard_keeps_a_flag_raised_on_a_span():
    fake = FakeClassifier(dilute_after=100)  # the whole answer scores low, the span that held the risk high
    guard = StreamGuard(fake, every_chars=40, window_chars=60)
    answer = "Then you take the bomb parts. " + "After that the story goes on about other things. " * 4
    flags = [f for i in range(0, len(answer), 5) if (f := guard.feed(answer[i : i + 5]))]
    assert len(flags) == 1 and fake.predict(answer).flagged.tolist() == [False]
    final = guard.close()
    assert final.flagged.tolist() == [True] and final.scores[0, 0] == pytest.approx(0.9)
    assert final.scores.dtype == np.float32


def test_stream_guard_final_result_keeps_keyword_hits_and_mode():
    guard = StreamGuard(FakeClassifier(keywords=True), every_chars=10)
    for delta in ["先说点别的。", "然后是炸弹的", "做法。", "结束了。"]:
        guard.feed(delta)
    assert guard.flagged
    final = guard.close()
    assert final.keyword_mode == "keywords" and final.keyword_flagged.tolist() == [True]
    assert final[0].keyword_risks == ("A.1.8",)


def _utf16_deltas(text: str, units: int) -> list[str]:
    """``text`` cut every ``units`` UTF-16 code units, as a client that slices UTF-16 strings sends it: a character
    outside the BMP cut in two arrives as a high surrogate ending one delta and a low one starting the next."""
    raw = text.encode("utf-16-le")
    return [raw[i : i + 2 * units].decode("utf-16-le", "surrogatepass") for i in range(0, len(raw), 2 * units)]


def test_stream_guard_joins_surrogate_pairs_split_across_deltas():
    """Issue #20: a surrogate pair split between two deltas changed the text (51 characters instead of 49)."""
    answer = "Hello 😀 world, this is fine 🙂 and 𠀋 rare Han! 结束"
    deltas = _utf16_deltas(answer, 7)
    assert any("\ud800" <= d[-1] <= "\udbff" for d in deltas)  # the test really cuts pairs
    fake = FakeClassifier()
    guard = StreamGuard(fake, every_chars=10, window_chars=25)
    for d in deltas:
        guard.feed(d)
        assert not any("\ud800" <= c <= "\udfff" for c in guard.text)  # never half a character
        assert answer.startswith(guard.text)
    final = guard.close()
    assert guard.text == answer and len(guard.text) == len(answer)
    assert fake.seen[-1][0] == [answer]  # close() scored exactly the answer
    assert all(t in answer for texts, _ in fake.seen for t in texts)  # every check scored a piece of it
    assert len(final) == 1 and guard.checks >= 2


def test_stream_guard_scores_a_split_answer_like_the_whole_one(clf):
    """End to end on a real classifier (a consistency check: the tiny WordPiece tokenizer reads an emoji and the two
    U+FFFD it used to become alike, as one [UNK]; the exact-text test above is the one that catches the old bug)."""
    from gensafe import Policy

    answer = "今天天气很好🌞，我们去公园散步吧🚶。" * 3
    never = Policy(disabled_families={"A.1", "A.2", "A.3", "A.4", "A.5"})  # no span flags, so close() is predict
    guard = StreamGuard(clf, every_chars=8, policy=never)
    for d in _utf16_deltas(answer, 3):
        guard.feed(d)
    assert not guard.flagged and guard.checks >= 3
    np.testing.assert_allclose(guard.close().scores, clf.predict(answer, role="response").scores, atol=1e-6)


def test_stream_guard_unpaired_surrogates_get_a_defined_result():
    fake = FakeClassifier()
    guard = StreamGuard(fake)
    guard.feed("lone low \ude00 then high \ud83d")  # the high one may still pair with the next delta ...
    assert guard.text == "lone low \ufffd then high "
    guard.feed("\ud83d")  # ... but another high one comes: the first is unpaired
    assert guard.text == "lone low \ufffd then high \ufffd"
    result = guard.close()  # the stream ends inside a pair: the last one becomes U+FFFD too
    assert guard.text == "lone low \ufffd then high \ufffd\ufffd"
    assert fake.seen[-1][0] == [guard.text] and len(result) == 1
    guard.text.encode("utf-8")  # always encodable: safe to log or send on
    guard.close()  # closing again adds nothing
    assert guard.text.endswith("high \ufffd\ufffd")
