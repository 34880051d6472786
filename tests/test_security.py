"""Security: a model folder is data, never code; nothing is unpickled; nothing touches the network."""

from __future__ import annotations

import hashlib
import json
import pickle
import re
import socket
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.errors import ModelError
from pipeline.features import FEATURES_VERSION
from pipeline.model import load_model

PACKAGE = Path(__file__).resolve().parent.parent / "pipeline"


class _Payload:
    """Unpickling this creates a marker file: proof that code from the model folder ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def _model_folder(folder: Path, weights: bytes) -> Path:
    """A model folder whose card carries the right hashes for the given weights file: the attacker
    controls the whole folder, so hash checks alone cannot stop this."""
    folder.mkdir()
    (folder / "weights.npz").write_bytes(weights)
    (folder / "vocab.json").write_text(json.dumps({"features": ["w:a"], "idf": [1.0]}))
    files = {n: hashlib.sha256((folder / n).read_bytes()).hexdigest() for n in ("weights.npz", "vocab.json")}
    _write_card(folder, files)
    return folder


def _write_card(folder: Path, files: dict[str, str]) -> None:
    """A card listing `files` with the model id they give (as `ThemeModel.save` writes it)."""
    model_id = "m-" + hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:12]
    card = {"model_id": model_id, "files": files, "themes": ["neglect"], "codebook_sha256": "cb", "cues_sha256": "cu",
            "thresholds": {"neglect": 0.5}, "features": {"version": FEATURES_VERSION, "nlp_pipeline": "blank:en"}}
    (folder / "card.json").write_text(json.dumps(card))


def _intact_folder(folder: Path) -> Path:
    import io

    buf = io.BytesIO()
    np.savez(buf, coef=np.zeros((1, 1), dtype=np.float32), intercept=np.zeros(1), themes=np.array(["neglect"]))
    return _model_folder(folder, buf.getvalue())


def _with_assertion(folder: Path, text: str) -> None:
    """Add an assertion.json with this text, hashed in the card as the attacker would."""
    (folder / "assertion.json").write_text(text)
    files = {n: hashlib.sha256((folder / n).read_bytes()).hexdigest() for n in ("weights.npz", "vocab.json", "assertion.json")}
    _write_card(folder, files)


@pytest.mark.parametrize("text", [
    "[1, 2]", "null", '"x"', "[" * 50000 + "]" * 50000,
    json.dumps({"features": ["w:a"], "idf": [1.0], "coef": [0.5], "intercept": 10 ** 400}),
    '{"features": ["w:a"], "idf": [1.0], "coef": [NaN], "intercept": 0}',
    json.dumps({"features": ["w:a"], "idf": [1.0], "coef": [None], "intercept": 0}),
    json.dumps({"features": ["w:a", "w:b"], "idf": [1.0], "coef": [0.5], "intercept": 0}),
    json.dumps({"features": ["w:a"], "idf": [1.0], "coef": [0.5]}),
    json.dumps({"features": ["w:a"], "idf": [1.0], "coef": [0.5], "intercept": 0, "norm_floor": -1}),
    '{"features": ["w:a"], "idf": [1.0], "coef": [0.5], "intercept": 0, "norm_floor": Infinity}',
    json.dumps({"features": ["w:a"], "idf": [1.0], "coef": [0.5], "intercept": 0, "norm_floor": "big"}),
])
def test_a_malformed_assertion_model_is_refused_with_a_model_error(tmp_path: Path, text: str):
    folder = _intact_folder(tmp_path / "m")
    _with_assertion(folder, text)
    with pytest.raises(ModelError, match="unreadable"):
        load_model(folder, "cb", "cu", "blank:en")


def test_a_well_formed_assertion_model_loads(tmp_path: Path):
    folder = _intact_folder(tmp_path / "m")
    _with_assertion(folder, json.dumps({"features": ["w:a"], "idf": [1.0], "coef": [0.5], "intercept": 0.0}))
    assert load_model(folder, "cb", "cu", "blank:en").assertion is not None


def test_removing_or_adding_the_assertion_model_is_noticed(tmp_path: Path):
    folder = _intact_folder(tmp_path / "m")
    _with_assertion(folder, json.dumps({"features": ["w:a"], "idf": [1.0], "coef": [0.5], "intercept": 0.0}))
    card = json.loads((folder / "card.json").read_text())
    del card["files"]["assertion.json"]  # dropped from the card, model id kept: the id no longer matches
    (folder / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="model id"):
        load_model(folder, "cb", "cu", "blank:en")
    _write_card(folder, card["files"])  # a consistent card without it, but the file is still there
    with pytest.raises(ModelError, match="not listed"):
        load_model(folder, "cb", "cu", "blank:en")
    (folder / "assertion.json").unlink()
    load_model(folder, "cb", "cu", "blank:en")  # a model without an assertion model is fine


@pytest.mark.parametrize("floor", ["-2", "NaN", '"x"', "[1]", '"0.5"', "true"])
def test_a_malformed_norm_floor_in_the_vocabulary_is_refused(tmp_path: Path, floor: str):
    folder = _intact_folder(tmp_path / "m")
    (folder / "vocab.json").write_text('{"features": ["w:a"], "idf": [1.0], "norm_floor": %s}' % floor)
    files = {n: hashlib.sha256((folder / n).read_bytes()).hexdigest() for n in ("weights.npz", "vocab.json")}
    _write_card(folder, files)
    with pytest.raises(ModelError, match="unreadable"):
        load_model(folder, "cb", "cu", "blank:en")


def _with_version(folder: Path, version: str, floor: float | None) -> None:
    vocab = {"features": ["w:a"], "idf": [1.0], **({"norm_floor": floor} if floor is not None else {})}
    (folder / "vocab.json").write_text(json.dumps(vocab))
    files = {n: hashlib.sha256((folder / n).read_bytes()).hexdigest() for n in ("weights.npz", "vocab.json")}
    _write_card(folder, files)
    card = json.loads((folder / "card.json").read_text())
    card["features"]["version"] = version
    (folder / "card.json").write_text(json.dumps(card))


def test_feature_versions_2_and_3_load_and_a_version_2_model_cannot_carry_a_norm_floor(tmp_path: Path):
    folder = _intact_folder(tmp_path / "v2")
    _with_version(folder, "2", None)  # models saved before the norm floor: the same scoring, still read
    assert load_model(folder, "cb", "cu", "blank:en").norm_floor == 0.0
    folder = _intact_folder(tmp_path / "v3")
    _with_version(folder, "3", 2.5)
    assert load_model(folder, "cb", "cu", "blank:en").norm_floor == 2.5
    folder = _intact_folder(tmp_path / "v2floor")
    _with_version(folder, "2", 2.5)  # a floor a version-2 reader would ignore: not a real version-2 model
    with pytest.raises(ModelError, match="unreadable"):
        load_model(folder, "cb", "cu", "blank:en")
    folder = _intact_folder(tmp_path / "v1")
    _with_version(folder, "1", None)
    with pytest.raises(ModelError, match="feature version 1"):
        load_model(folder, "cb", "cu", "blank:en")


def test_a_pickle_posing_as_weights_is_refused_and_not_executed(tmp_path: Path):
    marker = tmp_path / "pwned"
    folder = _model_folder(tmp_path / "m", pickle.dumps(_Payload(marker)))
    with pytest.raises(ModelError, match="unreadable"):
        load_model(folder, "cb", "cu", "blank:en")
    assert not marker.exists()


def test_an_npz_with_an_object_array_is_refused_and_not_executed(tmp_path: Path):
    import io

    marker = tmp_path / "pwned"
    buf = io.BytesIO()
    np.savez(buf, coef=np.array([[_Payload(marker)]], dtype=object), intercept=np.zeros(1), themes=np.array(["neglect"]))
    folder = _model_folder(tmp_path / "m", buf.getvalue())
    with pytest.raises(ModelError, match="unreadable"):
        load_model(folder, "cb", "cu", "blank:en")
    assert not marker.exists()


def test_a_model_whose_files_do_not_match_its_card_is_refused(tmp_path: Path):
    import io

    buf = io.BytesIO()
    np.savez(buf, coef=np.zeros((1, 1), dtype=np.float32), intercept=np.zeros(1), themes=np.array(["neglect"]))
    folder = _model_folder(tmp_path / "m", buf.getvalue())
    load_model(folder, "cb", "cu", "blank:en")  # loads while intact
    (folder / "vocab.json").write_text(json.dumps({"features": ["w:b"], "idf": [1.0]}))
    with pytest.raises(ModelError, match="does not match the sha256"):
        load_model(folder, "cb", "cu", "blank:en")


# Calls that can execute code from data. multiprocessing pickles between our own processes only.
FORBIDDEN = [
    r"\bpickle\.loads?\(", r"\bimport pickle\b", r"\bcPickle\b", r"\bjoblib\b", r"\bdill\b", r"\bcloudpickle\b",
    r"allow_pickle\s*=\s*True", r"\byaml\.load\(", r"\byaml\.unsafe_load\b", r"\bUnsafeLoader\b", r"\bmarshal\.loads?\(",
    r"\btorch\.load\(", r"(?<![\w.])eval\(", r"(?<![\w.])exec\(", r"\bshelve\b", r"\b__import__\(",
    r"\bimportlib\.import_module\(", r"\burllib\b", r"\brequests\b", r"\bhttp\.client\b", r"\bsocket\b(?! is)",
]


def test_the_package_never_unpickles_evaluates_or_connects():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if code.strip().startswith(('"""', "'")):
                continue
            for pattern in FORBIDDEN:
                if re.search(pattern, code):
                    offenders.append(f"{path.relative_to(PACKAGE.parent)}:{lineno}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
    assert "allow_pickle=False" in (PACKAGE / "model.py").read_text()


def test_run_needs_no_network(skeleton_pdfs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    def no_network(*args, **kwargs):
        raise AssertionError("network access attempted")

    for name in ("socket", "create_connection", "getaddrinfo", "gethostbyname", "socketpair"):
        monkeypatch.setattr(socket, name, no_network)
    # --jobs 2: forked workers inherit the patched socket module too
    result = CliRunner().invoke(app, ["run", str(skeleton_pdfs), "--out", str(tmp_path / "out"), "--model", "keywords",
                                      "--jobs", "2", "--store", str(tmp_path / "store"), "--quiet"])
    assert result.exit_code == 0, result.output
    assert len((tmp_path / "out" / "flags.csv").read_text().splitlines()) == 4
