"""Inter-coder agreement from double-coded reviews."""

from pathlib import Path

import pytest
from sklearn.metrics import cohen_kappa_score

from pipeline.agreement import coder_agreement
from pipeline.codes import read_codes
from pipeline.records import Codebook, Theme

CB = Codebook((Theme("neglect", "Neglect", "x"), Theme("domestic_abuse", "DA", "y")))


def _sheet(tmp_path: Path, name: str, coder: str, rows: list[tuple[str, str, str]]):
    p = tmp_path / name
    p.write_text("file,neglect,domestic_abuse,coder\n" + "".join(f"{f},{n},{d},{coder}\n" for f, n, d in rows))
    return read_codes(p, CB)


def test_kappa_per_theme_matches_sklearn(tmp_path):
    ann = _sheet(tmp_path, "ann.csv", "ann", [("a.pdf", "1", "0"), ("b.pdf", "1", "1"), ("c.pdf", "0", "0"), ("d.pdf", "0", "0"), ("e.pdf", "1", "")])
    bob = _sheet(tmp_path, "bob.csv", "bob", [("a.pdf", "1", "0"), ("b.pdf", "0", "1"), ("c.pdf", "0", "0"), ("d.pdf", "0", "1"), ("z.pdf", "1", "1")])
    report = coder_agreement([ann, bob], CB.ids)
    assert report.double_coded == 4 and report.coders == ["ann", "bob"]
    neglect, da = report.themes
    assert neglect.n == 4 and neglect.agreement == 0.75
    assert neglect.kappa == pytest.approx(cohen_kappa_score([1, 1, 0, 0], [1, 0, 0, 0]), abs=1e-4)
    assert da.n == 4 and da.kappa == pytest.approx(cohen_kappa_score([0, 1, 0, 0], [0, 1, 0, 1]), abs=1e-4)
    card = report.as_json()
    assert card["per_theme"]["neglect"] == {"kappa": neglect.kappa, "n_double_coded": 4, "raw_agreement": 0.75}


def test_undefined_kappa_and_unnamed_or_same_coder_repeats(tmp_path):
    ann = _sheet(tmp_path, "ann.csv", "ann", [("a.pdf", "0", "0"), ("b.pdf", "0", "0")])
    bob = _sheet(tmp_path, "bob.csv", "bob", [("a.pdf", "0", "0"), ("b.pdf", "0", "0")])
    neglect = coder_agreement([ann, bob], CB.ids).themes[0]
    assert neglect.kappa is None and neglect.agreement == 1.0  # both always 0: kappa undefined
    again = _sheet(tmp_path, "ann2.csv", "ann", [("a.pdf", "1", "0")])
    assert coder_agreement([ann, again], CB.ids).double_coded == 0  # one coder revising is not double coding
    nameless = _sheet(tmp_path, "x.csv", "", [("a.pdf", "1", "0")])
    report = coder_agreement([nameless, _sheet(tmp_path, "y.csv", "", [("a.pdf", "0", "0")])], CB.ids)
    assert report.double_coded == 0 and report.unnamed_repeats == 1
