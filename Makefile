# Two entry points (see README): `make example` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: example test bench clean

$(BIN)/ergen: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

# Check the bundled example against ExpressRoute's rules and write both routers' configs to out/example/,
# then the cloud-solution-provider estate (4 customers, 2 shared routers) to out/csp/.
# git keeps no file modes: the demo keys are made owner-only, as ergen asks of any key file.
example: $(BIN)/ergen
	chmod 600 inventories/*/secrets/*.md5
	$(BIN)/ergen validate examples/er-ams-prod.json --inventory inventories/example
	$(BIN)/ergen render examples/er-ams-prod.json --inventory inventories/example --out out/example --force
	$(BIN)/ergen render --all inventories/csp-example --out out/csp --force

# Every test, unit and integration (integration tests need Debian's frr: installed here when root)
test: $(BIN)/ergen
	bash scripts/install-system-deps.sh
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m pytest

# Every benchmark (bench/): start-up, estates of 100 to 10,000 circuits, the audit; each prints its ratios
bench: $(BIN)/ergen
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/estate.py
	$(BIN)/python bench/audit.py

clean:
	rm -rf $(VENV) out .pytest_cache
