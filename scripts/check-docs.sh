#!/bin/sh
# A clone is self-contained: no committed file names a path outside the
# repository (reference material that only its authors had), every
# docs/*.md or */README.md a file mentions exists, and every link of the
# Markdown files to a repository file or heading resolves.  Run by
# `make check` (boundary/docs); one line per problem, exit 1.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
self=scripts/check-docs.sh
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	files=$(git ls-files --cached --others --exclude-standard | sort -u)
else
	files=$(find . -type f ! -path './.git/*' ! -path './build*' | sed 's|^\./||' | sort)
fi
bad=$(mktemp)
trap 'rm -f "$bad"' EXIT

# 1. Paths outside the repository.  (Spelt in pieces so that this file
# does not match itself.)
outside='\.\./shared|/wo''rk/|shared/refe''rence|SCENA''RIO\.md|DES''IGN\.md|STY''LE\.md'
for f in $files; do
	[ "$f" = "$self" ] && continue
	[ -f "$f" ] || continue
	grep -nHE "$outside" "$f" 2>/dev/null |
		sed 's/^/outside the repository: /' >>"$bad" || true
done

# 2. Docs named anywhere must exist.
for f in $files; do
	[ -f "$f" ] || continue
	grep -oHE '(docs/[A-Za-z0-9_.-]+|sim-tests/README|bench/README)\.md' "$f" 2>/dev/null |
		while IFS=: read -r from path; do
			[ -e "$path" ] || echo "missing doc: $from names $path"
		done >>"$bad" || true
done

# The anchor GitHub gives a heading: lower case, punctuation dropped,
# spaces to hyphens.
anchors() {
	sed -n 's/^#\{1,6\} \{1,\}//p' "$1" |
		tr 'A-Z' 'a-z' | tr -d '`' | sed 's/[^a-z0-9 _-]//g; s/ /-/g'
}

# 3. Links of Markdown files: [text](target) to a file (and #heading).
for md in $(echo "$files" | grep '\.md$'); do
	[ -f "$md" ] || continue
	dir=$(dirname "$md")
	grep -oE '\]\([^)[:space:]]+\)' "$md" | sed 's/^](//; s/)$//' |
		while read -r target; do
			case $target in
			http://*|https://*|mailto:*) continue ;;
			esac
			path=${target%%#*}
			frag=
			case $target in *'#'*) frag=${target#*#} ;; esac
			if [ -n "$path" ]; then
				dest=$dir/$path
				if [ ! -e "$dest" ]; then
					echo "broken link: $md -> $target"
					continue
				fi
			else
				dest=$md
			fi
			if [ -n "$frag" ] && [ -f "$dest" ] && ! anchors "$dest" | grep -qxF "$frag"; then
				echo "broken anchor: $md -> $target"
			fi
		done >>"$bad"
done

# 4. Repository files and folders the docs quote in backticks, as
# `examples/x.vms` or `libvmsim/hw/` (not placeholders such as NAME, globs,
# ctest names, or Linux's include/linux/... paths).
for md in $(echo "$files" | grep -E '^(README|docs/.*|sim-tests/README|bench/README)\.md$'); do
	grep -oE '`(docs|examples|sim-tests|scripts|libvmsim|include/vmsim|tools|bench|fuzz|cmake)/[A-Za-z0-9_./-]*`' "$md" |
		tr -d '`' | sort -u |
		while read -r path; do
			case $path in */) ;; *) case ${path##*/} in *.*) ;; *) continue ;; esac ;; esac
			case $path in *[A-Z][A-Z]*) case $path in *README.md) ;; *) continue ;; esac ;; esac
			[ -e "${path%/}" ] || echo "missing path: $md quotes $path"
		done >>"$bad"
done

if [ -s "$bad" ]; then
	cat "$bad"
	exit 1
fi
echo "check-docs: $(echo "$files" | wc -l) files, nothing outside the repository, every doc link resolves"
