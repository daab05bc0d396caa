# captty — make run (set up, build, caption live), make test (set up, run all tests), make bench.
SWIFT ?= swift
BIN := .build/debug/captty

.PHONY: all setup build release run test bench fuzz soak clean

all: build

setup:
	@scripts/setup

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release

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

clean:
	rm -rf .build
