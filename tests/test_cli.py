from __future__ import annotations

import json

from gensafe.build.testing import TINY_CORPUS
from gensafe.cli import main

# the scan command's tests are in test_scan.py


def test_check_table_and_json(tiny_model, capsys):
    folder = str(tiny_model[0])
    assert main(["check", "--model", folder, "--device", "cpu", *TINY_CORPUS[:3]]) == 0
    out = capsys.readouterr().out
    assert "of 3 flagged" in out and "model tiny-random" in out
    assert main(["check", "--json", "--model", folder, "--operating-point", "loose", TINY_CORPUS[0]]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["labels"] == ["A.1.6", "A.1.8", "A.2.4", "A.4.1"] and len(doc["results"]) == 1


def test_check_fail_on_flag_and_errors(tiny_model, capsys):
    folder = str(tiny_model[0])
    code = main(["check", "--fail-on-flag", "--model", folder, "--operating-point", "strict", *TINY_CORPUS])
    assert code == 1  # strict thresholds flag most of the corpus
    assert main(["check", "--model", "/nonexistent/model", "x"]) == 2
    assert "no gensafe model" in capsys.readouterr().err
    assert main(["check", "--model", folder, "--operating-point", "medium", "x"]) == 2


def test_info(tiny_model, capsys):
    assert main(["info", "--json", "--model", str(tiny_model[0]), "--device", "cpu"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["provider"] == "CPUExecutionProvider"
    assert main(["info", "--model", str(tiny_model[0])]) == 0
    assert "4 risks: A.1.6" in capsys.readouterr().out

