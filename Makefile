# libportal — thin wrapper over CMake/CTest. `make demo` and `make test` are the quick start.
BUILD_DIR ?= build
BUILD_TYPE ?= Release
DEMO_DIR ?= demo-data
PYTHON := /usr/bin/python3
CMAKE_FLAGS ?=

.PHONY: all setup configure build web test test-cpp test-python test-cli test-http test-web demo bench clean

all: build

setup:
	@scripts/install-deps.sh

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	  -DPYTHON_EXECUTABLE=$(PYTHON) $(CMAKE_FLAGS)

configure: setup $(BUILD_DIR)/build.ninja

build: configure web
	cmake --build $(BUILD_DIR) -j$$(nproc)

# The browser app (docs/web.md): npm ci from the committed package-lock.json, then tsc + Vite
# into shells/http/web/dist, which portald serves (http.web_root).
WEB_DIR := shells/http/web
WEB_SOURCES := $(shell find $(WEB_DIR)/src $(WEB_DIR)/public -type f 2>/dev/null) \
  $(WEB_DIR)/index.html $(WEB_DIR)/vite.config.ts $(WEB_DIR)/tsconfig.json

web: $(WEB_DIR)/dist/index.html

$(WEB_DIR)/node_modules/.package-lock.json: $(WEB_DIR)/package-lock.json $(WEB_DIR)/package.json
	cd $(WEB_DIR) && npm ci --no-audit --no-fund --loglevel=error

$(WEB_DIR)/dist/index.html: $(WEB_DIR)/node_modules/.package-lock.json $(WEB_SOURCES)
	cd $(WEB_DIR) && npm run --silent build

# Every test: C++ (Catch2 through CTest), Python module, CLI, HTTP server, web app. Each runner prints
# its summary.
test: build
	@status=0; \
	$(MAKE) --no-print-directory test-cpp || status=1; \
	$(MAKE) --no-print-directory test-python || status=1; \
	$(MAKE) --no-print-directory test-cli || status=1; \
	$(MAKE) --no-print-directory test-http || status=1; \
	$(MAKE) --no-print-directory test-web || status=1; \
	exit $$status

test-cpp:
	cd $(BUILD_DIR) && ctest --output-on-failure -j$$(nproc) --timeout 900

test-python:
	PORTAL_PYTHONPATH=$(CURDIR)/$(BUILD_DIR)/bindings/python \
	  $(PYTHON) -m pytest -q -p no:cacheprovider bindings/python/tests

test-cli:
	PORTAL_CLI=$(CURDIR)/$(BUILD_DIR)/shells/cli/portal \
	  $(PYTHON) -m pytest -q -p no:cacheprovider shells/cli/tests

# portald over real loopback servers it starts itself (shells/http/tests). The npm package
# dicomweb-client (DICOMweb round trip) comes from the committed package-lock.json.
DWCLIENT_DIR := shells/http/tests/dicomweb-client
$(DWCLIENT_DIR)/node_modules/.package-lock.json: $(DWCLIENT_DIR)/package-lock.json
	cd $(DWCLIENT_DIR) && npm ci --no-audit --no-fund

test-http: $(DWCLIENT_DIR)/node_modules/.package-lock.json
	PORTALD=$(CURDIR)/$(BUILD_DIR)/shells/http/portald \
	PORTAL_CLI=$(CURDIR)/$(BUILD_DIR)/shells/cli/portal \
	  $(PYTHON) -m pytest -q -p no:cacheprovider shells/http/tests

# End-to-end tests of the browser app: real portald, loopback SMTP server, headless Chromium
# (Debian's) driven by playwright-core; screenshots in $(BUILD_DIR)/web-screenshots/.
test-web: web
	cd $(WEB_DIR) && PORTALD=$(CURDIR)/$(BUILD_DIR)/shells/http/portald \
	  PORTAL_CLI=$(CURDIR)/$(BUILD_DIR)/shells/cli/portal PYTHON=$(PYTHON) \
	  SCREENSHOTS=$(CURDIR)/$(BUILD_DIR)/web-screenshots \
	  node --test --test-concurrency=1 --test-timeout=300000 tests/

# Generated demo studies ingested into $(DEMO_DIR); see README for what to do next.
demo: build
	$(PYTHON) tests/data/gen_studies.py $(DEMO_DIR)/incoming --preset demo --seed 1
	$(BUILD_DIR)/shells/cli/portal init $(DEMO_DIR)/data
	$(BUILD_DIR)/shells/cli/portal --data $(DEMO_DIR)/data ingest $(DEMO_DIR)/incoming/*/ --repository demo || test $$? -eq 3
	$(BUILD_DIR)/shells/cli/portal --data $(DEMO_DIR)/data studies --limit 20
	@echo
	@echo "Demo data is in $(DEMO_DIR)/data. From another terminal, try:"
	@echo "  $(BUILD_DIR)/shells/cli/portal --data $(DEMO_DIR)/data studies --last-name muller"
	@echo "  $(BUILD_DIR)/shells/cli/portal --data $(DEMO_DIR)/data studies --period 7d --json"
	@scripts/demo-server.sh $(BUILD_DIR) $(DEMO_DIR)/data

bench: build
	benchmarks/run.sh $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR)
