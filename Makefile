# Học Vụ Số — the two commands are `make run` and `make test`; see README.md.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
PORT ?= 8000
export PATH := $(HOME)/.local/bin:$(PATH)

.PHONY: run dev test setup uv lint typecheck boundaries migrations-check pytest browser-deps bench totp messages

uv:
	@command -v uv >/dev/null 2>&1 || [ -x "$(HOME)/.local/bin/uv" ] || python3 -m pip install --user --quiet uv \
		|| python3 -m pip install --user --quiet --break-system-packages uv

setup: uv
	@$(UV) sync --frozen --quiet

# `make run` serves the product as people meet it (DEBUG off, WhiteNoise, its own error pages, JSON logs in
# var/log/hocvuso.jsonl); `make dev` is the same demo with Django's debug pages and auto-reload, for developers.
# Ready fast: the static files are collected on the second core while the database is built; the system checks run
# once (in `migrate`), not again in each later command; `make run` serves without the auto-reloader (a second process
# importing everything again), which is for developers (`make dev`). Python caches its bytecode even where the shell
# sets PYTHONDONTWRITEBYTECODE: otherwise each of these processes compiles the same ~2,000 modules again.
run: SETTINGS = config.settings.demo
run: RUNSERVER_FLAGS = --noreload --skip-checks
dev: SETTINGS = config.settings.local
dev: RUNSERVER_FLAGS =
run dev: export PYTHONDONTWRITEBYTECODE :=
run dev: setup
	@mkdir -p var
	@DJANGO_SETTINGS_MODULE=$(SETTINGS) $(UV) run python manage.py collectstatic --no-input -v0 & collecting=$$!; \
		DJANGO_SETTINGS_MODULE=$(SETTINGS) $(UV) run python manage.py migrate --no-input -v0 \
		&& DJANGO_SETTINGS_MODULE=$(SETTINGS) $(UV) run python manage.py load_demo --skip-checks; \
		built=$$?; wait $$collecting && exit $$built
	@echo "Serving http://127.0.0.1:$(PORT)/ — Ctrl+C to stop. Logs (JSON): var/log/hocvuso.jsonl"
	@DJANGO_SETTINGS_MODULE=$(SETTINGS) $(UV) run python manage.py runserver $(RUNSERVER_FLAGS) 127.0.0.1:$(PORT)

totp: setup
	@DJANGO_SETTINGS_MODULE=config.settings.demo $(UV) run python manage.py totp_code $(USER)

browser-deps:
	@bash scripts/ensure-chromium.sh

test: setup browser-deps lint typecheck boundaries migrations-check pytest

lint:
	$(UV) run ruff check .
	$(UV) run ruff format --check .

typecheck:
	$(UV) run mypy hocvuso config

boundaries:
	$(UV) run lint-imports

migrations-check:
	$(UV) run python manage.py makemigrations --check --dry-run --settings=config.settings.test

pytest:
	$(UV) run pytest -n $${PYTEST_WORKERS:-2} $(PYTEST_ARGS)

messages: setup
	$(UV) run python scripts/compile_messages.py

bench: setup
	$(UV) run python bench/run.py
