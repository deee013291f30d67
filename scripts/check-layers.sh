#!/bin/sh
# The layering of docs/design.md, checked: a file may include the headers of
# its own layer and of the layers below it, and call functions defined there,
# never above.  Ranks: base < sched < hw < mm < kinds, features < check <
# the composition root (libvmsim/*.c) < script (a user of the public API).
# Exit 1 with one line per violation; run by `make check`.
set -eu
cd "$(dirname "$0")/../libvmsim"

rank() {
	case $1 in
	base/*) echo 0 ;; sched/*) echo 1 ;; hw/*) echo 2 ;; mm/*) echo 3 ;;
	kinds/*|features/*) echo 4 ;; check/*) echo 5 ;; script/*) echo 8 ;;
	boot.h|internal.h) echo 0 ;;	# declarations every layer may see
	*) echo 7 ;;
	esac
}
# The code of a C file without comments and string literals (approximate).
strip_comments() {
	awk '{
		s = $0; out = ""
		while (length(s)) {
			if (inc) { i = index(s, "*/"); if (!i) { s = ""; break } s = substr(s, i + 2); inc = 0; continue }
			i = index(s, "/*"); if (!i) { out = out s; break }
			out = out substr(s, 1, i - 1); s = substr(s, i + 2); inc = 1
		}
		gsub(/"([^"\\]|\\.)*"/, "\"\"", out); print out
	}' "$1"
}
dir_of() { case $1 in */*) echo "${1%%/*}" ;; *) echo root ;; esac; }

bad=0
files=$(find . -name '*.[ch]' | sed 's|^\./||' | sort)

# Includes.
for f in $files; do
	r=$(rank "$f")
	d=$(dirname "$f")
	for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
		t=$(cd "$d" && realpath --relative-to="$OLDPWD" "$inc" 2>/dev/null || echo "$inc")
		rt=$(rank "$t")
		if [ "$rt" -gt "$r" ]; then
			echo "layering: $f includes $t (a layer above it)"
			bad=1
		fi
	done
done

# Calls: every function a .c file defines at file scope, by layer; a call
# from a lower layer (or a sibling folder of the same rank) is a violation.
defs=$(mktemp)
trap 'rm -f "$defs"' EXIT
for f in $(echo "$files" | grep '\.c$'); do
	sed -n 's/^[a-z_][a-z0-9_ *]*[ *]\([a-z_][a-z0-9_]*\)(.*/\1/p' "$f" |
		while read -r fn; do echo "$fn $f"; done
done | grep -v '^static ' | sort -u >"$defs"
for f in $(echo "$files" | grep '\.c$'); do
	r=$(rank "$f")
	fd=$(dir_of "$f")
	# Identifiers followed by '(' outside comments and strings (approximate).
	for fn in $(strip_comments "$f" | grep -o '[a-z_][a-z0-9_]*(' | tr -d '(' | sort -u); do
		grep "^$fn " "$defs" | while read -r _ where; do
			rt=$(rank "$where")
			wd=$(dir_of "$where")
			if grep -q "^static [^;]*[ *]$fn(" "$where"; then continue; fi
			if [ "$rt" -gt "$r" ] || { [ "$rt" -eq "$r" ] && [ "$wd" != "$fd" ]; }; then
				echo "layering: $f calls $fn() of $where (a layer above it)"
			fi
		done
	done
done | sort -u | tee /dev/stderr | grep -q . && bad=1
exit $bad
