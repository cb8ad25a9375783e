# 大庆市公租房服务平台 — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: install install-dev env run test test-fast lint bench browser-deps clean manual

$(BIN)/python:
	$(PY) -m venv $(VENV) || python3 -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python requirements.txt
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

env: $(BIN)/python
	@$(BIN)/python scripts/make_dev_env.py

EXCHANGE_PORT ?= 8765
BANK_PORT ?= 8766

## make run: install, migrate, load demo data, serve http://127.0.0.1:$(PORT)/ on SQLite, with the
## simulated department exchange (real-name checks) on 127.0.0.1:$(EXCHANGE_PORT) and the simulated
## bank (rent payments, account checks, disbursement files) on 127.0.0.1:$(BANK_PORT) beside it.
run: install env
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@$(BIN)/python manage.py run_exchange --port $(EXCHANGE_PORT) & exchange=$$!; \
	$(BIN)/python manage.py run_bank --port $(BANK_PORT) & bank=$$!; \
	trap 'kill $$exchange $$bank 2>/dev/null' EXIT INT TERM; \
	echo "模拟部门数据交换平台：http://127.0.0.1:$(EXCHANGE_PORT)/"; \
	echo "模拟银行：http://127.0.0.1:$(BANK_PORT)/"; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## make test: install (with test tools and the browser), then run the whole suite.
test: install-dev env browser-deps
	$(BIN)/python -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

test-fast: install-dev env
	$(BIN)/python -m pytest -n 2 -m "not browser" $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports

bench: install-dev env
	$(BIN)/python -m benchmarks.run
	$(BIN)/python -m benchmarks.api
	$(BIN)/python -m benchmarks.crosscheck

## make manual: the 操作手册 (docs/manual/): run the browser journeys of tests/manual/ on the demo data with
## MANUAL_WRITE=1 (each step's text and screenshot written to docs/manual/), then the index, the
## accessibility appendix and the PDF (scripts/build_manual.py). Commit what it writes.
manual: install-dev env browser-deps
	rm -rf test-results/manual
	MANUAL_WRITE=1 $(BIN)/python -m pytest tests/manual -n 2 --dist loadfile -p no:randomly $(PYTEST_ARGS)
	$(BIN)/python scripts/build_manual.py

# Debian's chromium and a Chinese font for the browser tests (Playwright's own download does
# not work here). Skipped when already present; needs root or sudo otherwise.
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "wenquanyi\|wqy"; then \
		echo "安装浏览器测试依赖 chromium 与 fonts-wqy-microhei"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	fi

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
