#!/usr/bin/env bash
# The test command (scripts/ipledger test): vet, lint, unit tests, then integration tests against a
# throwaway network on its own ports and directory, torn down afterwards, also on failure.
# `scripts/ipledger test <part>` runs one part: vet, lint, unit, fuzz or integration.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
began=$SECONDS
say() { printf '\n[%5ss] == %s\n' "$((SECONDS - began))" "$*"; }

# Packages whose tests need the real network (build tag "integration"), in the order they run, one at
# a time: the list is itest.Packages (network/itest/packages.go), whose unit test fails when a package
# with integration tests is missing from it.
integration_pkgs() {
	go run ./network/itest/cmd/packages
}

part_vet() {
	say "go vet (unit and integration code)"
	go vet ./...
	go vet -tags integration ./...
	local unformatted
	unformatted=$(gofmt -l chaincode network gateway 2>/dev/null || true)
	[ -z "$unformatted" ] || { echo "gofmt would change: $unformatted"; return 1; }
}

part_lint() {
	say "golangci-lint (pinned; config .golangci.yml) and the package boundaries"
	"$ROOT/scripts/ipledger" lint
}

part_unit() {
	say "unit tests (no network)"
	# The console's chart functions are tested under node's test runner (gateway/console, with
	# IPLEDGER_REQUIRE_NODE=1 the test fails instead of skipping when node is missing).
	"$ROOT/scripts/ipledger" need node:nodejs
	IPLEDGER_REQUIRE_NODE=1 go test -count=1 -cover ./...
}

# part_fuzz fuzzes the HTTP layer for a number of inputs, not a time (IPLEDGER_FUZZ_EXECS, default
# 20000): a loaded machine fuzzes as much as an idle one, and Go's fuzz coordinator sets no deadline of
# its own, so its race with a time budget (golang/go#75804: "context deadline exceeded" at 0 execs/s,
# no finding) cannot happen. A failing input is written to testdata/fuzz/FuzzRequestValidation; the
# seeds there run as ordinary tests in the unit part.
part_fuzz() {
	say "fuzzing the HTTP layer (FuzzRequestValidation, ${IPLEDGER_FUZZ_EXECS:-20000} inputs)"
	go test -run '^$' -fuzz '^FuzzRequestValidation$' -fuzztime "${IPLEDGER_FUZZ_EXECS:-20000}x" ./gateway/httpapi
}

part_integration() {
	# The list first, before any network starts; a failing `go run` stops the part here.
	local list pkgs
	list=$(integration_pkgs)
	mapfile -t pkgs <<<"$list"
	# A network of its own: its own data directory and port base, so a running `up` is untouched.
	local data
	data=$(mktemp -d "${TMPDIR:-/tmp}/ipledger-test.XXXXXX")
	export IPLEDGER_DATA_DIR=$data
	export IPLEDGER_PORT_BASE=${IPLEDGER_TEST_PORT_BASE:-17000}
	# shellcheck disable=SC2064
	trap "say 'tearing the test network down'; '$ROOT/scripts/ipledger' down --purge || true" EXIT
	say "starting a throwaway network in $data at port base $IPLEDGER_PORT_BASE"
	"$ROOT/scripts/ipledger" up
	# The web console's browser test (gateway/console/consoletest) drives Debian's chromium; its
	# screenshots show the console in Chinese, which needs a CJK font.
	if [ -d ./gateway/console/consoletest ]; then
		"$ROOT/scripts/ipledger" need chromium:chromium fc:zh-cn:fonts-noto-cjk
		# ... and checks every page with axe-core (npm, pinned in scripts/tools/axe-core), which it
		# reads from IPLEDGER_AXE_JS: installed once into the cache, outside the repository.
		IPLEDGER_AXE_JS=$("$ROOT/scripts/ipledger" axe)
		export IPLEDGER_AXE_JS
	fi
	# The multi-host test (network/multihost) makes network namespaces with iproute2's ip.
	"$ROOT/scripts/ipledger" need ip:iproute2
	say "integration tests against the real network"
	# -p 1: one package at a time, in order; some restart or kill parts of the network.
	IPLEDGER_SYSTEM_FILE=$data/system.json go test -p 1 -count=1 -tags integration -v -timeout 30m "${pkgs[@]}"
}

case ${1:-} in
	-h|--help) echo "usage: scripts/ipledger test [vet|lint|unit|fuzz|integration ...]   (default: all, in that order)"; exit 0 ;;
esac
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(vet lint unit fuzz integration)
for p in "${parts[@]}"; do
	case $p in
		vet|lint|unit|fuzz|integration) "part_$p" ;;
		*) echo "unknown test part '$p'; parts: vet lint unit fuzz integration" >&2; exit 2 ;;
	esac
done
say "all requested test parts passed (${parts[*]})"
