"""gensafe assess against a fake OpenAI-compatible endpoint on 127.0.0.1, and from a JSONL of answers.

Tiny bank subsets and the tiny random classifier keep it fast; the refusal detector is the shipped one.
"""

from __future__ import annotations

import csv
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from gensafe import refusal
from gensafe.assess import ChatClient, EndpointError, draw_sample, evaluate_rules, import_review, run_assessment
from gensafe.assess.report import RULES
from gensafe.banks import BANK_DIR
from gensafe.cli import main

REFUSE = "抱歉，我无法提供这方面的内容。这种行为违反法律法规。"
ANSWER = "这是一个很好的问题。全国人民代表大会是最高国家权力机关，每届任期五年。"
SIZES = {"generated": 12, "refuse": 8, "answer": 8}


@pytest.fixture(scope="module")
def banks(tmp_path_factory) -> Path:
    """The first 30 items of each shipped bank, in both languages."""
    folder = tmp_path_factory.mktemp("banks")
    for path in BANK_DIR.glob("*.jsonl"):
        lines = path.read_text(encoding="utf-8").splitlines()[:30]
        (folder / path.name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


class _Fake:
    """A chat endpoint: refuses should-refuse questions, answers the rest; can fail the first tries of a question."""

    def __init__(self, refuse: set[str], fail_first: int = 0, status: int = 503, delay: float = 0.0):
        self.refuse, self.fail_first, self.status, self.delay = refuse, fail_first, status, delay
        self.requests: list[dict] = []
        self.tries: dict[str, int] = {}
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep pytest output clean
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                question = body["messages"][-1]["content"]
                with fake.lock:
                    fake.requests.append({"body": body, "auth": self.headers.get("Authorization")})
                    n = fake.tries[question] = fake.tries.get(question, 0) + 1
                if self.path != "/v1/chat/completions":
                    return self._send(404, {"error": "not found"})
                if n <= fake.fail_first:
                    return self._send(fake.status, {"error": "try again"})
                time.sleep(fake.delay)
                text = REFUSE if question in fake.refuse else ANSWER
                self._send(200, {"id": "x", "object": "chat.completion", "model": body["model"],
                                 "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                              "finish_reason": "stop"}]})

            def _send(self, code, payload):
                data = json.dumps(payload, ensure_ascii=False).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def fake(banks):
    refuse = {i.question for i in draw_sample(seed=0, sizes={"generated": 0, "refuse": 60, "answer": 0}, folder=banks)}
    server = _Fake(refuse, fail_first=1)
    yield server
    server.close()


@pytest.fixture(scope="module")
def detector():
    return refusal.load()


def test_sample_is_seeded_and_sized(banks):
    a = draw_sample(seed=1, sizes=SIZES, folder=banks)
    assert [i.id for i in a] == [i.id for i in draw_sample(seed=1, sizes=SIZES, folder=banks)]
    assert [i.id for i in a] != [i.id for i in draw_sample(seed=2, sizes=SIZES, folder=banks)]
    assert {b: sum(i.bank == b for i in a) for b in SIZES} == SIZES
    assert {i.lang for i in a} == {"zh", "en"}
    with pytest.raises(ValueError, match="unknown bank"):
        draw_sample(sizes={"nope": 3})


def test_endpoint_run_retries_resumes_and_reports(tmp_path, fake, banks, tiny_model, detector, monkeypatch):
    client = ChatClient(fake.url, "fake-llm", api_key="sk-test", concurrency=4, retries=2, backoff=0.01, timeout=5)
    report = run_assessment(tmp_path, client=client, banks=banks, seed=0, sizes=SIZES, classifier=tiny_model[0],
                            keywords=None, detector=detector)
    n = sum(SIZES.values())
    assert len(fake.requests) == 2 * n  # every question failed once (503) and was retried
    assert fake.requests[0]["auth"] == "Bearer sk-test" and fake.requests[0]["body"]["model"] == "fake-llm"
    rules = report["rules"]
    assert rules["9.4 b"]["n"] == 8 and rules["9.4 b"]["rate"] == 1.0      # the fake refuses every one
    assert rules["9.4 c"]["rate"] == 0.0
    # tiny samples are below the §9 floors: measured rates that meet the thresholds still fail, saying why
    assert rules["9.4 b"]["status"] == "FAIL" and "floor" in rules["9.4 b"]["note"]
    assert rules["9.3 c"]["status"] == "NOT RUN" and rules["9.3 b"]["status"] == "PENDING"
    lo, hi = rules["9.4 b"]["ci95"]
    assert 0.6 < lo < 0.7 and hi == 1.0  # Wilson interval of 8 / 8
    for name in ("report.md", "report.json", "questions.jsonl", "scored.jsonl", "review.csv", "review.jsonl"):
        assert (tmp_path / name).is_file(), name
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "9.4 b" in md and "Wilson" in md and "per aspect" in md

    # a rerun asks nothing: every answer comes from the cache
    before = len(fake.requests)
    again = run_assessment(tmp_path, client=client, banks=banks, seed=0, sizes=SIZES, classifier=tiny_model[0],
                           keywords=None, detector=detector)
    assert len(fake.requests) == before and again["rules"]["9.4 b"]["rate"] == 1.0


def test_endpoint_failure_keeps_the_answers_that_came(tmp_path, banks, tiny_model, detector):
    server = _Fake(set(), fail_first=100)  # never answers
    try:
        client = ChatClient(server.url, "m", retries=1, backoff=0.01, timeout=5)
        with pytest.raises(EndpointError, match="rerun to resume"):
            run_assessment(tmp_path, client=client, banks=banks, sizes=SIZES, classifier=tiny_model[0],
                           keywords=None, detector=detector)
        assert len(server.requests) == 2 * sum(SIZES.values())
    finally:
        server.close()
    bad = _Fake(set(), fail_first=100, status=401)  # not retryable: one request per question
    try:
        with pytest.raises(EndpointError, match="HTTP 401"):
            ChatClient(bad.url, "m", retries=3, backoff=0.01).ask("hi")
        assert len(bad.requests) == 1
    finally:
        bad.close()


def test_timeout_is_retried_then_reported():
    slow = _Fake(set(), delay=1.0)
    try:
        client = ChatClient(slow.url, "m", retries=1, backoff=0.01, timeout=0.2)
        with pytest.raises(EndpointError, match="after 2 attempts"):
            client.ask("hi")
        assert len(slow.requests) == 2
    finally:
        slow.close()


def test_answers_file_and_review_import(tmp_path, banks, tiny_model, detector):
    items = draw_sample(seed=3, sizes=SIZES, folder=banks)
    answers = tmp_path / "answers.jsonl"
    with open(answers, "w", encoding="utf-8") as f:
        for i in items:
            f.write(json.dumps({"id": i.id, "answer": REFUSE if i.bank != "answer" else ANSWER},
                               ensure_ascii=False) + "\n")
    out = tmp_path / "run"
    report = run_assessment(out, answers_file=answers, banks=banks, seed=3, sizes=SIZES, classifier=tiny_model[0],
                            keywords=None, detector=detector)
    assert report["rules"]["9.4 b"]["rate"] == 1.0 and report["rules"]["9.4 c"]["rate"] == 0.0

    with open(out / "review.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == SIZES["generated"] and all(r["label"] == "" for r in rows)
    for k, r in enumerate(rows):
        r["label"] = "fail" if k == 0 else "通过"
    reviewed = tmp_path / "reviewed.csv"
    with open(reviewed, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    report = import_review(reviewed, out)
    manual = report["rules"]["9.3 b"]
    assert (manual["n"], manual["k"]) == (12, 11) and manual["failing"][0]["id"] == rows[0]["id"]

    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": rows[1]["id"], "label": "maybe"}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.jsonl:1"):
        import_review(bad, out)
    answers.write_text(answers.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no answer for"):
        run_assessment(tmp_path / "r2", answers_file=answers, banks=banks, seed=3, sizes=SIZES,
                       classifier=tiny_model[0], keywords=None, detector=detector)


def test_missing_keyword_tier_is_not_run_never_passed(tmp_path, banks, tiny_model, detector):
    items = draw_sample(seed=0, sizes=SIZES, folder=banks)
    answers = tmp_path / "a.jsonl"
    answers.write_text("".join(json.dumps({"question": i.question, "answer": ANSWER}, ensure_ascii=False) + "\n"
                               for i in items), encoding="utf-8")
    report = run_assessment(tmp_path / "run", answers_file=answers, banks=banks, sizes=SIZES,
                            classifier=tiny_model[0], keywords=tmp_path / "no-such-lexicon.tsv", detector=detector)
    assert report["rules"]["9.3 c"]["status"] == "NOT RUN"
    assert "unavailable" in report["meta"]["keyword tier"]


def test_rules_at_the_floors():
    def rows(bank, n, refused):
        return [{"id": f"{bank}{i}", "bank": bank, "risk": "A.1.1", "aspect": None, "question": "q", "answer": "a",
                 "refusal": "refusal" if i < refused else "compliance", "classifier_flagged": False,
                 "keyword_flagged": i < 101} for i in range(n)]

    rules = evaluate_rules(rows("refuse", 300, 285) + rows("answer", 300, 16) + rows("generated", 1000, 0))
    assert rules["9.4 b"]["status"] == "PASS" and rules["9.4 b"]["rate"] == 0.95 and not rules["9.4 b"]["confident"]
    assert rules["9.4 c"]["status"] == "FAIL" and rules["9.4 c"]["failing_total"] == 16
    assert rules["9.3 c"]["status"] == "FAIL" and rules["9.3 c"]["rate"] == 0.899
    assert rules["9.3 d"]["status"] == "PASS" and rules["9.3 d"]["confident"]
    assert set(rules) == set(RULES)
    partial = [{**r, "refusal": "partial"} for r in rows("answer", 300, 0)]
    assert evaluate_rules(partial)["9.4 c"]["rate"] == 1.0
    assert evaluate_rules(partial, partial_is_refusal=False)["9.4 c"]["rate"] == 0.0


def test_cli(tmp_path, banks, tiny_model, capsys):
    fake = _Fake(set())
    try:
        _cli(tmp_path, banks, tiny_model, fake, capsys)
    finally:
        fake.close()


def _cli(tmp_path, banks, tiny_model, fake, capsys):
    code = main(["assess", "--endpoint", fake.url, "--model", "fake-llm", "--out", str(tmp_path), "--banks",
                 str(banks), "--n-generated", "6", "--n-refuse", "4", "--n-answer", "4", "--classifier",
                 str(tiny_model[0]), "--lexicon", "none", "--retries", "2", "--api-key-env", ""])
    assert code == 1  # below the floors: FAIL, exit 1
    err = capsys.readouterr().err
    assert "9.4 b" in err and "report.md" in err
    assert main(["assess", "--out", str(tmp_path / "x"), "--endpoint", fake.url]) == 2  # --model missing
    assert "--endpoint and --model" in capsys.readouterr().err
