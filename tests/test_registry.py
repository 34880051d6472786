"""Listing model folders."""

import json
from pathlib import Path

from pipeline.registry import list_models


def _card(folder: Path, model_id: str, created: str, reliable: dict[str, bool]) -> None:
    folder.mkdir(parents=True)
    per_theme = {t: {"reliable": r, "f1": 0.8} for t, r in reliable.items()}
    card = {"model_id": model_id, "created": created, "themes": list(reliable), "training_data": {"reviews": 40},
            "evaluation": {"macro_f1": 0.8123, "per_theme": per_theme}}
    (folder / "card.json").write_text(json.dumps(card))


def test_lists_model_folders_oldest_first_and_marks_the_one_in_use(tmp_path):
    _card(tmp_path / "new", "new-abc", "2026-11-02T10:00:00+00:00", {"neglect": True, "disability": False})
    _card(tmp_path / "old", "old-def", "2026-10-01T10:00:00+00:00", {"neglect": True, "disability": True})
    (tmp_path / "not-a-model").mkdir()
    infos = list_models(tmp_path, tmp_path / "new")
    assert [m.model_id for m in infos] == ["old-def", "new-abc"]
    assert [m.in_use for m in infos] == [False, True]
    assert infos[1].unreliable == ("disability",) and infos[1].reviews == 40 and infos[1].cv_macro_f1 == 0.8123


def test_a_broken_model_folder_is_listed_with_its_reason_and_the_others_still_are(tmp_path):
    _card(tmp_path / "good", "good-abc", "2026-11-02T10:00:00+00:00", {"neglect": True})
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "card.json").write_text("{not json")
    infos = list_models(tmp_path)
    assert [m.model_id for m in infos] == ["broken", "good-abc"]
    assert infos[0].problem and not infos[1].problem
