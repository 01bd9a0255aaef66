# Clearance — set-up, build, test, benchmarks. `make run` and `make test` do all the set-up
# on a fresh Debian machine (system packages are installed when missing).

SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)

# Debian packages: C libraries Clearance links, the QR code library the capture page embeds
# (node-qrcode-generator; Public/qrcode.js links to its file), and the tools its tests and
# benchmarks compare with (zbar-tools reads the QR codes the browser test's tablet draws).
DEB_PACKAGES := pkg-config libexif-dev libexempi-dev libheif-dev libsqlite3-dev libturbojpeg0-dev \
                libimage-exiftool-perl libqrencode-dev libpng-dev libtiff-dev \
                libavformat-dev libavcodec-dev libavutil-dev libswscale-dev \
                libopencv-dnn-dev libopencv-imgproc-dev libopencv-imgcodecs-dev python3-venv \
                node-qrcode-generator zbar-tools libcurl4-openssl-dev openssl systemd
BENCH_PACKAGES := hyperfine wrk curl libjpeg-turbo-progs

SWIFT_FLAGS ?=

.PHONY: all deps layering build release run test bench fixtures clean

all: build

deps:
	@missing=$$(for p in $(DEB_PACKAGES) $(EXTRA_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:" $$missing; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

# The web tier reaches the store only through ClearanceApp. Package.swift leaves Ledger out of
# ClearanceHTTP's dependencies, but SwiftPM still finds a module that is a dependency's
# dependency (and --explicit-target-dependency-import-check accepts those), so an explicit
# `import Ledger` (or LedgerSchema, GRDB) there would compile: refused here, in any spelling.
layering:
	@if grep -rnE '^[[:space:]]*(@[A-Za-z_]+(\([^)]*\))?[[:space:]]+)*((public|package|internal|fileprivate|private)[[:space:]]+)?import[[:space:]]+((struct|class|enum|protocol|typealias|func|var|let)[[:space:]]+)?(Ledger|LedgerSchema|GRDB)([.[:space:]]|$$)' Sources/ClearanceHTTP; then \
	  echo "ClearanceHTTP must not import a store module (Ledger, LedgerSchema, GRDB): add what it needs to ClearanceApp"; exit 1; \
	fi

build: deps layering
	swift build $(SWIFT_FLAGS)

release: deps layering
	swift build -c release $(SWIFT_FLAGS)

# Loads the summer fair into a fresh ledger (out/riverside.db), creates a first admin with a
# random password (printed once) and starts the web service; PORT=8080 HOST=127.0.0.1 by default.
PORT ?= 8080
HOST ?= 127.0.0.1
run: build
	rm -rf out && mkdir -p out
	samples/load.sh out/riverside.db
	@password=$$(.build/debug/clearance user add --name admin --role admin --db out/riverside.db | sed -n 's/^password: //p'); \
	echo; echo "Clearance at http://localhost:$(PORT)/ — sign in as admin with password $$password"; \
	for role in officer editor dpo; do \
	  p=$$(.build/debug/clearance user add --name $$role --role $$role --db out/riverside.db | sed -n 's/^password: //p'); \
	  echo "  demo $$role account: $$role / $$p"; \
	done; \
	echo "(more: .build/debug/clearance user add --name NAME --role officer|editor|dpo|admin --db out/riverside.db)"; echo
	exec .build/debug/clearance serve --db out/riverside.db --config samples/config.json --host $(HOST) --port $(PORT)

# Browser tests (Selenium + Debian's chromium); each prints "N passed, M failed" last.
BROWSER_TESTS := tests/browser/consent_flow.py tests/browser/hostile_input.py tests/browser/offline_capture.py \
                 tests/browser/renewal.py tests/browser/accessibility.py tests/browser/review_flow.py

# The Swift tests run inside a throwaway PostgreSQL cluster when Debian's postgresql is installed
# (CI installs it; scripts/postgres-cluster.sh stops and deletes the cluster however they end).
test: deps layering
	swift build --build-tests $(SWIFT_FLAGS)
	@if scripts/postgres-cluster.sh available; then \
	  echo "scripts/postgres-cluster.sh with swift test --skip-build $(SWIFT_FLAGS)"; \
	  scripts/postgres-cluster.sh with swift test --skip-build $(SWIFT_FLAGS); \
	else \
	  echo "PostgreSQL is not installed: the PostgreSQL store tests are skipped"; \
	  echo "swift test --skip-build $(SWIFT_FLAGS)"; \
	  swift test --skip-build $(SWIFT_FLAGS); \
	fi
	tests/api/schemathesis.sh
	python3 tests/notices/notices_smtp.py
	tests/deploy/verify_units.sh
	@if command -v chromedriver > /dev/null && command -v chromium > /dev/null; then \
	  status=0; for script in $(BROWSER_TESTS); do echo "== $$script"; python3 $$script || status=1; done; exit $$status; \
	else \
	  echo "browser tests skipped: install Debian's chromium and chromium-driver to run $(BROWSER_TESTS)"; \
	fi

bench:
	$(MAKE) deps EXTRA_PACKAGES="$(BENCH_PACKAGES)"
	$(MAKE) release
	bench/run.sh

# Regenerates the small people-metadata fixtures with ExifTool (committed; not needed for tests).
fixtures: deps
	scripts/make-fixtures.sh

clean:
	rm -rf .build
