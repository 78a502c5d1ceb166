#!/usr/bin/env bash
# Loads every file of the public SLO spec corpora with accord validate and,
# beside it, asks each file's own tool whether the file is valid:
#   OpenSLO (OpenSLO/OpenSLO, OpenSLO/go-sdk, OpenSLO/oslo, nobl9/sloctl):
#     oslo validate, built from the oslo checkout;
#   Sloth (slok/sloth): sloth validate, go run of sloth v0.16.0;
#   Pyrra (pyrra-dev/pyrra): Pyrra's file loading (tools/corpus/pyrracheck).
# Usage: tools/corpus/check.sh CORPORA_DIR
# where CORPORA_DIR holds checkouts named OpenSLO, go-sdk, oslo, sloctl, sloth
# and pyrra (git clone https://github.com/OpenSLO/OpenSLO CORPORA_DIR/OpenSLO, …).
# Prints one line per file: corpus, the tool's verdict, Accord's, the file;
# then the counts per corpus. Not run in CI: it needs the corpora and the
# peers' modules. Nothing of the corpora is kept in this repository.
set -euo pipefail
corpora=$(cd "${1:?usage: $0 CORPORA_DIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "building accord, oslo and pyrracheck" >&2
(cd "$here/../.." && go build -o "$work/accord" ./cmd/accord)
(cd "$corpora/oslo" && go build -o "$work/oslo" ./cmd/oslo)
cp -r "$here/pyrracheck" "$work/pyrracheck-src"
(cd "$work/pyrracheck-src" && go mod edit -replace "github.com/pyrra-dev/pyrra=$corpora/pyrra" &&
	go mod tidy >/dev/null 2>&1 && go build -o "$work/pyrracheck" .)
GOBIN="$work" go install github.com/slok/sloth/cmd/sloth@v0.16.0

# accord_verdict FILE: "loads" (no errors; warnings and notes allowed),
# "skipped" (no SLO spec: read as part of a directory it gets a note) or
# "errors".
accord_verdict() {
	local out
	out=$("$work/accord" validate "$1" 2>&1 >/dev/null | tail -1) || true
	case "$out" in
	*" 0 errors"*) echo loads ;;
	*"from 0 files"*) echo skipped ;;
	*) echo errors ;;
	esac
}

peer_verdict() { # CORPUS FILE
	case "$1" in
	sloth)
		if grep -qE '^(version: *"?prometheus/v1|apiVersion: *"?(sloth.slok.dev|openslo/v1alpha))' "$2"; then
			"$work/sloth" validate --no-log -i "$2" >/dev/null 2>&1 && echo valid || echo invalid
		else echo none; fi ;;
	pyrra)
		if grep -q 'kind: ServiceLevelObjective$' "$2" && ! grep -q 'kind: CustomResourceDefinition' "$2"; then
			"$work/pyrracheck" "$2" | grep -q ' VALID$' && echo valid || echo invalid
		else echo none; fi ;;
	*)
		if grep -qE 'openslo(\.com)?/v' "$2"; then
			"$work/oslo" validate -f "$2" >/dev/null 2>&1 && echo valid || echo invalid
		else echo none; fi ;;
	esac
}

list() { # CORPUS: the files the corpus holds, as the issue names them
	case "$1" in
	OpenSLO) find "$corpora/OpenSLO/examples" -type f ;;
	go-sdk) find "$corpora/go-sdk/pkg" -path '*/examples/*' -type f -o -path '*/test_data/*' -type f ;;
	oslo) find "$corpora/oslo/test" "$corpora/oslo/internal/files/testdata" -type f ;;
	sloctl) find "$corpora/sloctl/test/inputs" "$corpora/sloctl/internal/test_data" -type f ;;
	sloth) find "$corpora/sloth/examples" "$corpora/sloth/test/integration" -path '*/_gen/*' -prune -o -type f -print ;;
	pyrra) find "$corpora/pyrra/examples" -type f ;;
	esac | grep -E '\.(ya?ml|json)$' | sort
}

for corpus in OpenSLO go-sdk oslo sloctl sloth pyrra; do
	tool=$corpus
	case $corpus in OpenSLO | go-sdk | oslo | sloctl) tool=openslo ;; esac
	files=0 valid=0 loads=0 broken=""
	for f in $(list "$corpus"); do
		files=$((files + 1))
		p=$(peer_verdict "$tool" "$f")
		a=$(accord_verdict "$f")
		printf '%s\t%s\t%s\t%s\n' "$corpus" "$p" "$a" "${f#"$corpora"/}"
		if [ "$p" = valid ]; then
			valid=$((valid + 1))
			if [ "$a" = loads ]; then loads=$((loads + 1)); else broken="$broken ${f#"$corpora"/}"; fi
		fi
	done
	printf '# %s: %d files, %d valid for their own tool, %d of them load in Accord%s\n' \
		"$corpus" "$files" "$valid" "$loads" "${broken:+; not:$broken}"
done
