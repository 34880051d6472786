# Two entry points (see README): `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
RT := $(VENV)/bin/review-themes

.PHONY: demo test install clean corpus model quality bench

$(VENV)/.installed: pyproject.toml setup.py pipeline/_pdfium_fast.c
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	rm -f pipeline/_pdfium_fast*.so  # a failed (optional) build must not leave an older accelerator in place
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

demo: $(VENV)/.installed
	$(RT) run corpus/sample --out out/demo

test: $(VENV)/.installed
	$(PY) -m pytest -q

# The committed corpus (see README, Corpus): generated texts + coding sheet + sentence record, the
# sample PDFs used by `make demo`, then every PDF (generated and hand-written) rebuilt under corpus/build/
# (not committed) and the repetition figures written to corpus/generated/stats.json.
CORPUS_N ?= 540
CORPUS_SEED ?= 1
SAMPLE_SEED ?= 7

corpus: $(VENV)/.installed
	$(RT) corpus build --out corpus/generated --n $(CORPUS_N) --seed $(CORPUS_SEED) --bank both --eval-share 0.3 --no-pdf
	rm -rf corpus/build/sample
	$(RT) corpus build --out corpus/build/sample --n 12 --seed $(SAMPLE_SEED) --bank both --eval-share 0.5 --kinds briefing,scr_summary
	rm -f corpus/sample/*.pdf
	cp corpus/build/sample/pdfs/*.pdf corpus/build/sample/codes.csv corpus/sample/
	$(RT) corpus render corpus/generated/texts --out corpus/build/pdfs
	$(RT) corpus render corpus/written/texts --out corpus/build/pdfs/written
	$(RT) corpus render corpus/written-extra/texts --out corpus/build/pdfs/written-extra
	$(RT) corpus render corpus/written-eval/texts --out corpus/build/written-eval
	$(RT) corpus render corpus/written-test/texts --out corpus/build/written-test
	$(RT) corpus render corpus/written-reserve/texts --out corpus/build/written-reserve
	$(RT) corpus render corpus/written-next/texts --out corpus/build/written-next
	$(RT) corpus render corpus/style-dev/texts --out corpus/build/style-dev
	$(RT) corpus render corpus/style-test/texts --out corpus/build/style-test
	$(RT) corpus render corpus/written-unseen/texts --out corpus/build/written-unseen
	$(RT) corpus render corpus/handwritten --out corpus/build/handwritten
	$(RT) corpus stats corpus/generated --json corpus/generated/stats.json

# The default model (models/default): trained on the training split of the generated corpus (bank a
# wording, 378 reviews) and the 132 reviews written in full (corpus/written), with their sentence
# records, from the PDFs, exactly as an analyst's model is; thresholds chosen on the written reviews
# (text written in full scores differently from generated text; see README, Quality).
corpus/build/pdfs/codes-a.csv:
	$(RT) corpus render corpus/generated/texts --out corpus/build/pdfs

corpus/build/pdfs/written/codes.csv:
	$(RT) corpus render corpus/written/texts --out corpus/build/pdfs/written

# a held-out set written in full: corpus/NAME/texts -> corpus/build/NAME (the rules above and below
# are the folders laid out otherwise)
corpus/build/%/codes.csv:
	$(RT) corpus render corpus/$*/texts --out corpus/build/$*

corpus/build/handwritten/codes.csv:
	$(RT) corpus render corpus/handwritten --out corpus/build/handwritten

model: $(VENV)/.installed corpus/build/pdfs/codes-a.csv corpus/build/pdfs/written/codes.csv
	rm -rf models/default
	$(RT) train corpus/build/pdfs/codes-a.csv corpus/build/pdfs/written/codes.csv --pdfs corpus/build/pdfs --sentences corpus/generated/sentences.csv.gz --sentences corpus/written/sentences.csv --calibrate corpus/build/pdfs/written/codes.csv --out models/default --jobs 2

# Honest quality figures (README, Quality): text the model was not trained on, written differently.
quality: $(VENV)/.installed corpus/build/pdfs/codes-a.csv corpus/build/handwritten/codes.csv corpus/build/written-eval/codes.csv corpus/build/written-test/codes.csv corpus/build/written-reserve/codes.csv corpus/build/written-next/codes.csv corpus/build/style-dev/codes.csv corpus/build/style-test/codes.csv
	$(RT) evaluate corpus/build/written-test/codes.csv --pdfs corpus/build --out benchmarks/quality/written-test.csv --jobs 2
	$(RT) evaluate corpus/build/written-eval/codes.csv --pdfs corpus/build --out benchmarks/quality/written-eval.csv --jobs 2
	$(RT) evaluate corpus/build/handwritten/codes.csv --pdfs corpus/build --out benchmarks/quality/handwritten.csv --jobs 2
	$(RT) evaluate corpus/build/written-reserve/codes.csv --pdfs corpus/build --out benchmarks/quality/written-reserve.csv --jobs 2
	$(RT) evaluate corpus/build/written-next/codes.csv --pdfs corpus/build --out benchmarks/quality/written-next.csv --jobs 2
	$(RT) evaluate corpus/build/style-dev/codes.csv --pdfs corpus/build --out benchmarks/quality/style-dev.csv --jobs 2
	$(RT) evaluate corpus/build/style-test/codes.csv --pdfs corpus/build --out benchmarks/quality/style-test.csv --jobs 2
	$(RT) evaluate corpus/build/written-test/codes.csv corpus/build/written-reserve/codes.csv --pdfs corpus/build --out benchmarks/quality/untouched.csv --jobs 2
	$(RT) evaluate corpus/build/written-test/codes.csv corpus/build/written-reserve/codes.csv corpus/build/written-next/codes.csv corpus/build/style-test/codes.csv --pdfs corpus/build --out benchmarks/quality/untouched-all.csv --jobs 2
	$(RT) evaluate corpus/build/written-test/codes.csv corpus/build/written-reserve/codes.csv corpus/build/written-next/codes.csv corpus/build/style-test/codes.csv corpus/build/style-dev/codes.csv corpus/build/written-eval/codes.csv corpus/build/handwritten/codes.csv --pdfs corpus/build --out benchmarks/quality/written-all.csv --jobs 2 --into-card
	$(RT) evaluate corpus/build/pdfs/codes-b.csv --pdfs corpus/build/pdfs --out benchmarks/quality/evaluation-split.csv --jobs 2
	$(PY) -m benchmarks.hard_negatives --json benchmarks/quality/hard-negatives.json
	$(PY) -m benchmarks.calibration_split --json benchmarks/quality/calibration-split.json
	$(PY) -m benchmarks.record_traps corpus/build corpus/written-eval/sentences.csv --json benchmarks/quality/written-eval-traps.json
	$(PY) -m benchmarks.record_traps corpus/build corpus/written-test/sentences.csv --json benchmarks/quality/written-test-traps.json
	rm -rf benchmarks/build/written-test-run
	$(RT) run corpus/build/written-test --out benchmarks/build/written-test-run --jobs 2
	$(PY) -m benchmarks.bootstrap_f1 benchmarks/build/written-test-run corpus/build/written-test/codes.csv --json benchmarks/quality/written-test-bootstrap.json
	rm -rf benchmarks/build/written-reserve-run
	$(RT) run corpus/build/written-reserve --out benchmarks/build/written-reserve-run --jobs 2
	$(PY) -m benchmarks.bootstrap_f1 benchmarks/build/written-test-run corpus/build/written-test/codes.csv benchmarks/build/written-reserve-run corpus/build/written-reserve/codes.csv --json benchmarks/quality/untouched-bootstrap.json
	$(PY) -m benchmarks.record_traps corpus/build corpus/written-reserve/sentences.csv --json benchmarks/quality/written-reserve-traps.json
	$(PY) -m benchmarks.record_traps corpus/build corpus/written-next/sentences.csv --json benchmarks/quality/written-next-traps.json
	$(PY) -m benchmarks.record_traps corpus/build corpus/style-dev/sentences.csv --json benchmarks/quality/style-dev-traps.json
	$(PY) -m benchmarks.record_traps corpus/build corpus/style-test/sentences.csv --json benchmarks/quality/style-test-traps.json
	rm -rf benchmarks/build/written-next-run benchmarks/build/style-test-run
	$(RT) run corpus/build/written-next --out benchmarks/build/written-next-run --jobs 2
	$(RT) run corpus/build/style-test --out benchmarks/build/style-test-run --jobs 2
	$(PY) -m benchmarks.bootstrap_f1 benchmarks/build/written-test-run corpus/build/written-test/codes.csv benchmarks/build/written-reserve-run corpus/build/written-reserve/codes.csv benchmarks/build/written-next-run corpus/build/written-next/codes.csv benchmarks/build/style-test-run corpus/build/style-test/codes.csv --json benchmarks/quality/untouched-all-bootstrap.json

# Speed and memory against plain pdfplumber (benchmarks/speed.py; about an hour on 2 cores at the
# default sizes). Corpora are built once under benchmarks/build/ (not in git). A quick check:
#   make bench BENCH_ARGS="--reviews 4 --pages 6 --coded 40 --small 30 --big-pages 30"
BENCH_ARGS ?= --reviews 100 --pages 40

bench: $(VENV)/.installed
	$(PY) -m benchmarks.speed $(BENCH_ARGS)

clean:
	rm -rf out .review-themes .pytest_cache
