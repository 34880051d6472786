"""The store: WAL mode, round trips keyed by content and fingerprints, atomic per-review writes, and
clear errors for unusable store files."""

from __future__ import annotations

import sqlite3
import zlib
from pathlib import Path

import pytest

from pipeline import fingerprints
from pipeline.config import load_config
from pipeline.errors import StoreError
from pipeline.records import Block, Evidence, ExtractedReview, ExtractFailure, ReviewMeta, ReviewPrediction, SectionKind, Sentence
from pipeline.store import STORE_FILE, Store, remove_store, text_key

SHA = "a" * 64
REVIEW = ExtractedReview(
    "old/name", "old/name.pdf", SHA, 2,
    (Block("heading", "1. Findings", 1, SectionKind.FINDINGS, level=1), Block("paragraph", "The child was hungry.", 2, SectionKind.FINDINGS, "1.1")),
    ReviewMeta(title="Child A", year=2021, child_age=0.25),
    textless_pages=(3,),
)
SENTS = [Sentence("old/name", 0, 2, SectionKind.FINDINGS, "The child was hungry.", "the child be hungry", ("cue:neglect",))]
PRED = ReviewPrediction("old/name", {"neglect": 0.75}, {"neglect": 1}, (Evidence("old/name", "neglect", 2, SectionKind.FINDINGS, 0.75, "The child was hungry."),))


@pytest.fixture
def store(tmp_path: Path):
    cfg = load_config(None)
    s = Store.in_folder(tmp_path / "st")
    s.note_fingerprints([fingerprints.extraction(cfg), fingerprints.sentences(cfg, ()), fingerprints.predictions(cfg, "m", "cb")])
    yield s, fingerprints.extraction(cfg).key, fingerprints.sentences(cfg, ()).key, fingerprints.predictions(cfg, "m", "cb").key
    s.close()


def test_wal_mode_and_location(tmp_path: Path):
    with Store.in_folder(tmp_path / "x") as s:
        assert s.path == tmp_path / "x" / STORE_FILE
        assert s._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_records_come_back_under_the_name_they_have_now(store):
    s, ek, nk, pk = store
    with s.transaction():
        s.note_seen(SHA, 10, "/f", "old/name.pdf")
        tkey = s.put_extraction(ek, REVIEW, 0.5)
        s.put_sentences(tkey, nk, SENTS)
        s.put_prediction(tkey, nk, pk, "m", PRED)
    got = s.extraction(SHA, ek, "new", "new.pdf")
    assert got is not None and got.text_key == tkey == text_key(REVIEW.blocks)
    assert got.result == ExtractedReview("new", "new.pdf", SHA, 2, REVIEW.blocks, REVIEW.meta, (3,))
    assert s.sentences(tkey, nk, "new") == [Sentence("new", *[getattr(SENTS[0], f) for f in ("index", "page", "section", "text", "norm", "tags")])]
    pred = s.prediction(tkey, nk, pk, "new")
    assert pred is not None and pred.review_id == "new" and pred.evidence[0].review_id == "new"
    assert pred.scores == PRED.scores and pred.evidence[0].score == 0.75
    assert s.extraction(SHA, "other-key", "new", "new.pdf") is None
    assert s.prediction(tkey, nk, "other-model", "new") is None
    assert s.text_keys_with_sentences(SHA, nk) == {tkey}
    assert s.last_seen(SHA) == ("/f", "old/name.pdf")


def test_failures_are_stored_with_reason(store):
    s, ek, _, _ = store
    with s.transaction():
        s.note_seen(SHA, 10, "/f", "bad.pdf")
        assert s.put_extraction(ek, ExtractFailure("bad", "bad.pdf", SHA, "encrypted: needs a password", 3), 0.1) is None
    got = s.extraction(SHA, ek, "bad2", "bad2.pdf")
    assert got is not None and got.result == ExtractFailure("bad2", "bad2.pdf", SHA, "encrypted: needs a password", 3)


def test_a_review_is_written_whole_or_not_at_all(store):
    s, ek, nk, _ = store
    with pytest.raises(RuntimeError, match="boom"):
        with s.transaction():
            s.note_seen(SHA, 10, "/f", "a.pdf")
            tkey = s.put_extraction(ek, REVIEW, 0.5)
            s.put_sentences(tkey, nk, SENTS)
            raise RuntimeError("boom")
    assert s.extraction(SHA, ek, "a", "a.pdf") is None
    assert s.stats()["sentences"] == 0


def test_writes_outside_a_transaction_are_refused(store):
    s, ek, _, _ = store
    with pytest.raises(RuntimeError, match="transaction"):
        s.put_extraction(ek, REVIEW, 0.1)


def test_stat_cache_rehashes_changed_files(store, tmp_path: Path):
    s, *_ = store
    p = tmp_path / "a.pdf"
    p.write_bytes(b"%PDF-1.4 one")
    first = s.file_sha256(p)
    assert s.file_sha256(p) == first
    p.write_bytes(b"%PDF-1.4 two")
    assert s.file_sha256(p) != first


def test_stale_records_are_cache_misses(store):
    s, ek, _, _ = store
    with s.transaction():
        s.note_seen(SHA, 10, "/f", "a.pdf")
        s.put_extraction(ek, REVIEW, 0.5)
    s._db.execute("UPDATE extractions SET record = ?", (zlib.compress(b'{"pages": "many"}'),))
    assert s.extraction(SHA, ek, "a", "a.pdf") is None
    s._db.execute("UPDATE extractions SET record = ?", (b"not zlib",))
    assert s.extraction(SHA, ek, "a", "a.pdf") is None


def test_not_a_database_is_a_clear_error_and_fresh_recovers(tmp_path: Path):
    folder = tmp_path / "st"
    folder.mkdir()
    (folder / STORE_FILE).write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="--fresh"):
        Store.in_folder(folder)
    with Store.in_folder(folder, fresh=True) as s:
        assert s.stats()["reviews"] == 0


def test_other_schema_version_is_refused(tmp_path: Path):
    with Store.in_folder(tmp_path) as s:
        s._db.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="schema version 999"):
        Store.in_folder(tmp_path)
    remove_store(tmp_path)
    assert not (tmp_path / STORE_FILE).exists()


def test_unwritable_location_is_a_clear_error(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot create the store folder"):
        Store.in_folder(blocker / "sub")


def test_two_connections_see_each_others_commits(tmp_path: Path):
    with Store.in_folder(tmp_path) as a, Store.in_folder(tmp_path) as b:
        with a.transaction():
            a.note_seen(SHA, 1, "/f", "x.pdf")
        assert b.last_seen(SHA) == ("/f", "x.pdf")
        raw = sqlite3.connect(tmp_path / STORE_FILE)
        assert raw.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 1
        raw.close()


def test_sqlite_failures_mid_run_become_store_errors(store):
    s, ek, _, _ = store
    s._db.execute("PRAGMA query_only = ON")  # every write now fails, as on a full or read-only disk
    with pytest.raises(StoreError, match="the store failed"):
        with s.transaction():
            s.note_seen(SHA, 10, "/f", "a.pdf")
    s._db.execute("PRAGMA query_only = OFF")
    with s.transaction():  # and the store is usable again afterwards
        s.note_seen(SHA, 10, "/f", "a.pdf")


def _open_at_once(args: tuple[str, object]) -> str:
    path, barrier = args
    from pipeline.store import Store

    barrier.wait()  # type: ignore[attr-defined]
    try:
        Store(Path(path)).close()
        return "ok"
    except Exception as exc:  # reported, so the test names what went wrong
        return f"{type(exc).__name__}: {exc}"


def test_several_runs_creating_one_new_store_at_once_all_open_it(tmp_path: Path):
    # two runs sharing a new store: both switch it to WAL at the same moment, which SQLite can
    # refuse at once with "database is locked" (seen as a flaky two-runs test); the store retries
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    for attempt in range(8):
        path = tmp_path / f"s{attempt}" / "store.sqlite"
        path.parent.mkdir()
        with ctx.Manager() as manager:
            barrier = manager.Barrier(6)
            with ctx.Pool(6) as pool:
                results = pool.map(_open_at_once, [(str(path), barrier)] * 6)
        assert results == ["ok"] * 6, results
