# captty — make run (set up, build, caption live), make test (set up, run all tests), make bench.
SWIFT ?= swift
BIN := .build/debug/captty

.PHONY: all setup build release run test bench fuzz soak install clean
PREFIX ?= $(HOME)/.local

all: build

setup:
	@scripts/setup

build: setup
	$(SWIFT) build

# Static Swift runtime: the installed captty maps 9 shared objects instead of 23 and peaks at
# ~24 MiB instead of ~30 MiB on a cloud session (issue #8; Benchmarks/rss/run --static).
# (The linker's "mktemp is dangerous" note comes from Foundation's static archive, not captty.)
release: setup
	$(SWIFT) build -c release --static-swift-stdlib

# Captions live audio with the default engine (offline unless DEEPGRAM_API_KEY is set).
run: build
	$(BIN) $(ARGS)

test:
	scripts/test

bench: setup
	@scripts/bench

# Hours of audio at 8x through the live app; checks RSS, bytes and lines (HOURS=2 SPEED=8).
soak: setup
	@scripts/soak --hours $(or $(HOURS),2) --speed $(or $(SPEED),8)

fuzz: setup
	@scripts/fuzz

# Installs captty, its offline engine's worker and models, and the man page under PREFIX.
install: release
	install -d $(PREFIX)/bin $(PREFIX)/libexec/captty $(PREFIX)/share/captty $(PREFIX)/share/man/man1
	install -m 755 .build/release/captty $(PREFIX)/bin/captty
	install -m 755 .build/release/captty-moonshine-worker $(PREFIX)/libexec/captty/captty-moonshine-worker
	[ ! -d vendor/moonshine ] || cp -a vendor/moonshine $(PREFIX)/share/captty/
	install -m 644 Assets/captty.1 $(PREFIX)/share/man/man1/captty.1
	install -m 644 Assets/demo-preamble.wav $(PREFIX)/share/captty/demo-preamble.wav
	install -m 644 Assets/config.toml $(PREFIX)/share/captty/config.toml
	@echo "installed captty in $(PREFIX)/bin (make sure it is on your PATH)"

clean:
	rm -rf .build
