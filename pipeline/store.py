"""The embedded store: what earlier runs extracted, split and scored, so a run only does new work.

One SQLite file (`store.sqlite` in the store folder, WAL mode). Consumes records from the stages and
the fingerprints (`pipeline.fingerprints`) of the code and settings that produced them. Produces them
back, rebuilt for the path they are found under now. Keys:

- a review is its PDF's sha256 (a renamed or copied file is the same review);
- its extraction (blocks, pages, metadata, or a failure reason) is keyed by (sha256, extraction key);
- its sentences by (text key, sentence key), where the text key hashes the extracted blocks, so a
  re-extraction that yields the same text reuses the sentences and predictions;
- its prediction by (text key, sentence key, prediction key).

Extraction records and sentence lists are stored as zlib-compressed JSON (about a quarter of their
plain size); predictions as plain JSON. Failures that depend on the machine rather than the file
(crashes, time-outs, unreadable files) are logged in `failures` but never cached: the next run tries
those files again. Writers group all rows of one review in one transaction (`transaction()`), so a
run killed at any point leaves each review either fully stored or absent. Raises `StoreError` when
the store cannot be created, opened or read.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sqlite3
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

from pipeline import serial
from pipeline.errors import StoreError
from pipeline.extract import sha256_file
from pipeline.fingerprints import Fingerprint
from pipeline.records import Block, ExtractedReview, ExtractFailure, ReviewPrediction, Sentence

STORE_FILE = "store.sqlite"
SCHEMA_VERSION = "1"
_PATH_FIELDS = frozenset({"review_id", "file"})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
-- What each cache key stands for: extractor/splitter version, settings, library versions, model id.
CREATE TABLE IF NOT EXISTS fingerprints (
    key TEXT PRIMARY KEY,
    stage TEXT NOT NULL,
    description TEXT NOT NULL,
    first_used TEXT NOT NULL
);
-- One row per distinct PDF content: `folder`/`file` is where it was last seen.
CREATE TABLE IF NOT EXISTS reviews (
    sha256 TEXT PRIMARY KEY,
    bytes INTEGER NOT NULL,
    folder TEXT NOT NULL,
    file TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL
);
-- Hashes of files by path and stat signature, so an unchanged file is not even re-read.
CREATE TABLE IF NOT EXISTS file_hashes (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    ctime_ns INTEGER NOT NULL,
    inode INTEGER NOT NULL,
    sha256 TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS extractions (
    sha256 TEXT NOT NULL REFERENCES reviews(sha256),
    extract_key TEXT NOT NULL REFERENCES fingerprints(key),
    status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
    reason TEXT NOT NULL,
    pages INTEGER NOT NULL,
    text_key TEXT,
    record BLOB NOT NULL,
    seconds REAL NOT NULL,
    created TEXT NOT NULL,
    PRIMARY KEY (sha256, extract_key)
);
-- A review's sentences in reading order (text, lemma norms, cue tags, page, section kind).
CREATE TABLE IF NOT EXISTS sentence_sets (
    text_key TEXT NOT NULL,
    nlp_key TEXT NOT NULL REFERENCES fingerprints(key),
    sentences INTEGER NOT NULL,
    records BLOB NOT NULL,
    created TEXT NOT NULL,
    PRIMARY KEY (text_key, nlp_key)
);
CREATE TABLE IF NOT EXISTS predictions (
    text_key TEXT NOT NULL,
    nlp_key TEXT NOT NULL,
    predict_key TEXT NOT NULL REFERENCES fingerprints(key),
    model_id TEXT NOT NULL,
    record TEXT NOT NULL,
    created TEXT NOT NULL,
    PRIMARY KEY (text_key, nlp_key, predict_key)
);
CREATE TABLE IF NOT EXISTS failures (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL,
    file TEXT NOT NULL,
    extract_key TEXT NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL
);
"""


def _pack(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8"), 6)


def _unpack(blob: bytes) -> str:
    try:
        return zlib.decompress(blob).decode("utf-8")
    except (zlib.error, UnicodeDecodeError, TypeError) as exc:
        raise serial.RecordMismatch(f"stored record is unreadable ({exc})") from None


def text_key(blocks: Sequence[Block]) -> str:
    """A hash of extracted text and its structure (what sentence splitting consumes)."""
    blob = json.dumps([serial.to_data(b) for b in blocks], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class StoredExtraction:
    """A stored extraction result, rebuilt for the path it is found under now."""

    result: ExtractedReview | ExtractFailure
    text_key: str | None


_F = TypeVar("_F", bound=Callable[..., Any])


def _translated(method: _F) -> _F:
    """SQLite errors in the middle of a run (disk full, a damaged file) become `StoreError`."""

    @functools.wraps(method)
    def wrapper(self: Store, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise StoreError(
                f"{self.path}: the store failed ({exc}). If the disk is full, free space and run again; "
                "if the file is damaged, start afresh with --fresh"
            ) from None

    return wrapper  # type: ignore[return-value]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Store:
    """An open store. Use as a context manager, or call `close()`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{path.parent}: cannot create the store folder ({exc.strerror or exc})") from None
        try:
            self._db = sqlite3.connect(path, isolation_level=None, timeout=60.0)
        except sqlite3.Error as exc:
            raise StoreError(f"{path}: cannot open the store ({exc})") from None
        self._in_transaction = False
        try:
            self._db.execute("PRAGMA busy_timeout = 60000")
            self._wal()
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.execute("PRAGMA foreign_keys = ON")
            self._init_schema()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise StoreError(
                f"{path}: not a usable review-themes store ({exc}). Start afresh with --fresh "
                f"or delete {path.parent}"
            ) from None

    def _wal(self) -> None:
        """Switch the store to write-ahead logging (persistent: once per store). Two runs creating the
        same new store at once can both ask for it; SQLite then answers "database is locked" at once,
        without waiting for busy_timeout, so the switch is retried for up to 30 s."""
        deadline = time.monotonic() + 30.0
        while True:
            try:
                if str(self._db.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                    self._db.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    @classmethod
    def in_folder(cls, folder: Path, fresh: bool = False) -> Store:
        """Open (creating if needed) the store in `folder`; `fresh` deletes it first."""
        if fresh:
            remove_store(folder)
        return cls(folder / STORE_FILE)

    def _init_schema(self) -> None:
        with self.transaction():
            for statement in _SCHEMA.split(";\n"):  # statements end a line with ";"
                if statement.strip():
                    self._db.execute(statement)
            row = self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if row is None:
                self._db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
                self._db.execute("INSERT INTO meta VALUES ('created', ?)", (_now(),))
            elif row[0] != SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path}: store schema version {row[0]}, this tool uses {SCHEMA_VERSION}. "
                    f"Start afresh with --fresh (cached work is recomputed)"
                )

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside commit together or not at all."""
        if self._in_transaction:
            raise RuntimeError("nested store transaction")
        self._begin()
        self._in_transaction = True
        try:
            yield
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise
        else:
            self._commit()
        finally:
            self._in_transaction = False

    @_translated
    def _begin(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    @_translated
    def _commit(self) -> None:
        try:
            self._db.execute("COMMIT")
        except sqlite3.Error:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise

    def _write(self, sql: str, params: Sequence[Any] | Iterable[Sequence[Any]], many: bool = False) -> None:
        if not self._in_transaction:
            raise RuntimeError("store writes must happen inside transaction()")
        if many:
            self._db.executemany(sql, params)  # type: ignore[arg-type]
        else:
            self._db.execute(sql, params)  # type: ignore[arg-type]

    # -- file identity -------------------------------------------------------------------------

    @_translated
    def file_sha256(self, path: Path) -> str:
        """The sha256 of a file, from the stat cache when size, times and inode are unchanged.

        Raises OSError when the file cannot be read."""
        st = path.stat()
        key = str(path.resolve())
        sig = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        row = self._db.execute(
            "SELECT size, mtime_ns, ctime_ns, inode, sha256 FROM file_hashes WHERE path = ?", (key,)
        ).fetchone()
        if row is not None and tuple(row[:4]) == sig:
            return str(row[4])
        digest = sha256_file(path)
        with self.transaction():
            self._write("INSERT OR REPLACE INTO file_hashes VALUES (?, ?, ?, ?, ?, ?)", (key, *sig, digest))
        return digest

    @_translated
    def last_seen(self, sha256: str) -> tuple[str, str] | None:
        """(folder, file) where a review was last seen, or None when it never was."""
        row = self._db.execute("SELECT folder, file FROM reviews WHERE sha256 = ?", (sha256,)).fetchone()
        return (row[0], row[1]) if row else None

    @_translated
    def note_seen(self, sha256: str, size: int, folder: str, file: str) -> None:
        """Record that a review's PDF was found at folder/file (inside a transaction)."""
        now = _now()
        self._write(
            "INSERT INTO reviews VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(sha256) DO UPDATE SET folder = excluded.folder, file = excluded.file, last_seen = excluded.last_seen",
            (sha256, size, folder, file, now, now),
        )

    @_translated
    def note_fingerprints(self, fingerprints: Iterable[Fingerprint]) -> None:
        """Keep what each key stands for (idempotent; own transaction)."""
        with self.transaction():
            self._write(
                "INSERT OR IGNORE INTO fingerprints VALUES (?, ?, ?, ?)",
                [(f.key, f.stage, json.dumps(f.description, sort_keys=True), _now()) for f in fingerprints],
                many=True,
            )

    # -- extractions ---------------------------------------------------------------------------

    @_translated
    def extraction(self, sha256: str, extract_key: str, review_id: str, file: str) -> StoredExtraction | None:
        """The stored extraction of a review under an extraction key, or None (also when the stored
        record no longer fits the record types)."""
        row = self._db.execute(
            "SELECT status, reason, pages, text_key, record FROM extractions WHERE sha256 = ? AND extract_key = ?",
            (sha256, extract_key),
        ).fetchone()
        if row is None:
            return None
        status, reason, pages, tkey, blob = row
        try:
            record = _unpack(blob)
            if status == "ok":
                review = serial.loads(ExtractedReview, record, review_id=review_id, file=file, sha256=sha256)
                return StoredExtraction(review, tkey)
            failure = serial.loads(ExtractFailure, record, review_id=review_id, file=file, sha256=sha256)
            return StoredExtraction(failure, None)
        except serial.RecordMismatch:
            return None

    @_translated
    def put_extraction(self, extract_key: str, result: ExtractedReview | ExtractFailure, seconds: float) -> str | None:
        """Store an extraction result (inside a transaction); returns its text key (None for a failure)."""
        record = serial.dumps(result, drop=_PATH_FIELDS)
        if isinstance(result, ExtractedReview):
            tkey: str | None = text_key(result.blocks)
            values = ("ok", "", result.pages, tkey)
        else:
            tkey = None
            values = ("failed", result.reason, result.pages, None)
        self._write(
            "INSERT OR REPLACE INTO extractions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (result.sha256, extract_key, *values, _pack(record), round(seconds, 4), _now()),
        )
        return tkey

    @_translated
    def log_failure(self, sha256: str, file: str, extract_key: str, reason: str) -> None:
        """Log a failure that is not cached (a crash, a time-out): the file is tried again next run."""
        self._write("INSERT INTO failures (sha256, file, extract_key, reason, at) VALUES (?, ?, ?, ?, ?)",
                    (sha256, file, extract_key, reason, _now()))

    # -- sentences -----------------------------------------------------------------------------

    @_translated
    def has_sentences(self, text_key: str, nlp_key: str) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM sentence_sets WHERE text_key = ? AND nlp_key = ?", (text_key, nlp_key)
        ).fetchone()
        return row is not None

    @_translated
    def text_keys_with_sentences(self, sha256: str, nlp_key: str) -> set[str]:
        """Text keys of any stored extraction of a review whose sentences are stored under `nlp_key`
        (a re-extraction that yields one of these texts need not be split again)."""
        rows = self._db.execute(
            "SELECT DISTINCT e.text_key FROM extractions e JOIN sentence_sets s "
            "ON s.text_key = e.text_key AND s.nlp_key = ? WHERE e.sha256 = ?",
            (nlp_key, sha256),
        ).fetchall()
        return {r[0] for r in rows}

    @_translated
    def sentences(self, text_key: str, nlp_key: str, review_id: str) -> list[Sentence] | None:
        """A review's stored sentences in order, or None when they are not stored (or no longer fit)."""
        row = self._db.execute(
            "SELECT records FROM sentence_sets WHERE text_key = ? AND nlp_key = ?", (text_key, nlp_key)
        ).fetchone()
        if row is None:
            return None
        try:
            items = json.loads(_unpack(row[0]))
            if not isinstance(items, list):
                raise serial.RecordMismatch("stored sentences are not a list")
            return [serial.rebuild(Sentence, item, review_id=review_id) for item in items]
        except (serial.RecordMismatch, json.JSONDecodeError):
            return None

    @_translated
    def put_sentences(self, text_key: str, nlp_key: str, sentences: Sequence[Sentence]) -> None:
        """Store a review's sentences (inside a transaction), replacing any under the same keys."""
        items = [serial.to_data(s, drop=frozenset({"review_id"})) for s in sentences]
        records = _pack(json.dumps(items, sort_keys=True, ensure_ascii=False, separators=(",", ":")))
        self._write(
            "INSERT OR REPLACE INTO sentence_sets VALUES (?, ?, ?, ?, ?)", (text_key, nlp_key, len(sentences), records, _now())
        )

    # -- predictions ---------------------------------------------------------------------------

    @_translated
    def prediction(self, text_key: str, nlp_key: str, predict_key: str, review_id: str) -> ReviewPrediction | None:
        """A review's stored prediction, or None."""
        row = self._db.execute(
            "SELECT record FROM predictions WHERE text_key = ? AND nlp_key = ? AND predict_key = ?",
            (text_key, nlp_key, predict_key),
        ).fetchone()
        if row is None:
            return None
        try:
            data = json.loads(row[0])
            for item in data.get("evidence", []):
                item["review_id"] = review_id
            return serial.rebuild(ReviewPrediction, data, review_id=review_id)
        except (serial.RecordMismatch, json.JSONDecodeError, AttributeError, TypeError):
            return None

    @_translated
    def put_prediction(self, text_key: str, nlp_key: str, predict_key: str, model_id: str, prediction: ReviewPrediction) -> None:
        """Store a review's prediction (inside a transaction)."""
        data = serial.to_data(prediction, drop=frozenset({"review_id"}))
        for item in data["evidence"]:
            item.pop("review_id", None)
        record = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        self._write(
            "INSERT OR REPLACE INTO predictions VALUES (?, ?, ?, ?, ?, ?)",
            (text_key, nlp_key, predict_key, model_id, record, _now()),
        )

    # -- housekeeping --------------------------------------------------------------------------

    @_translated
    def stats(self) -> dict[str, int]:
        """Row counts and the bytes the store takes on disk."""
        counts = {}
        for table in ("reviews", "extractions", "sentence_sets", "predictions", "failures"):
            counts[table] = int(self._db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])  # noqa: S608
        counts["sentences"] = int(self._db.execute("SELECT COALESCE(SUM(sentences), 0) FROM sentence_sets").fetchone()[0])
        counts["bytes"] = sum(
            p.stat().st_size for p in self.path.parent.glob(STORE_FILE + "*") if p.is_file()
        )
        return counts


def remove_store(folder: Path) -> None:
    """Delete the store files in `folder`. The write-ahead log goes first: interrupted halfway, what
    remains is an older but consistent database, never a log replayed onto a missing one."""
    for name in (STORE_FILE + "-wal", STORE_FILE + "-shm", STORE_FILE + "-journal", STORE_FILE):
        try:
            os.unlink(folder / name)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise StoreError(f"{folder / name}: cannot delete ({exc.strerror or exc})") from None
