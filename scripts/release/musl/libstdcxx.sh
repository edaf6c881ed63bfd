#!/bin/sh
# Builds a stand-in libstdc++.so.6 for smoke-testing the linux-x64-musl binary on Debian:
#   scripts/release/musl/libstdcxx.sh MUSL_BINARY OUTDIR
#
# Bun's musl build needs musl's loader and libc (Debian's package musl) and a libstdc++.so.6
# built for musl, which Alpine has (apk add libstdc++) and Debian does not. This links the
# members of Debian's libstdc++.a that the binary uses, with musl-gcc (musl-tools), into a
# shared library, plus glibc-compat.c for the glibc symbols they expect. It is good enough
# to run the binary's smoke test under musl; it is not Alpine's libstdc++ and is never shipped.
# Needs: musl musl-tools g++ binutils. Prints the directory to put in LD_LIBRARY_PATH.
set -eu

BIN=${1:?usage: libstdcxx.sh MUSL_BINARY OUTDIR}
OUT=${2:?usage: libstdcxx.sh MUSL_BINARY OUTDIR}
HERE=$(cd "$(dirname "$0")" && pwd)
MUSL_LIBC=/usr/lib/x86_64-linux-musl/libc.so

for tool in musl-gcc g++ nm readelf; do
	command -v "$tool" >/dev/null || {
		echo "libstdcxx.sh: $tool is missing (apt-get install musl-tools g++ binutils)" >&2
		exit 3
	}
done
[ -f "$MUSL_LIBC" ] || {
	echo "libstdcxx.sh: $MUSL_LIBC is missing (apt-get install musl)" >&2
	exit 3
}
archive() { g++ -print-file-name="$1"; }
STDCXX=$(archive libstdc++.a)
GCC_EH=$(archive libgcc_eh.a)
GCC=$(archive libgcc.a)
[ -f "$STDCXX" ] || {
	echo "libstdcxx.sh: libstdc++.a is missing (apt-get install g++)" >&2
	exit 3
}

mkdir -p "$OUT"
# what the binary needs and musl's libc does not define: libstdc++'s part
nm -D --defined-only "$MUSL_LIBC" | awk '{ print $3 }' | sort -u >"$OUT/musl.syms"
{
	nm -D --undefined-only "$BIN" | awk '$1 == "U" { print $2 }'
	# data the binary copies at load time (vtables of the type_info classes)
	readelf -rW "$BIN" | awk '$3 == "R_X86_64_COPY" { print $5 }'
} | sort -u >"$OUT/needed.syms"
undefined=$(comm -23 "$OUT/needed.syms" "$OUT/musl.syms" | sed 's/^/-Wl,-u,/' | tr '\n' ' ')

# shellcheck disable=SC2086 # one -Wl,-u,SYMBOL per word
musl-gcc -O2 -shared -fPIC -o "$OUT/libstdc++.so.6" -Wl,-soname,libstdc++.so.6 \
	$undefined "$HERE/glibc-compat.c" "$STDCXX" "$GCC_EH" "$GCC" -Wl,--no-undefined
rm -f "$OUT/musl.syms" "$OUT/needed.syms"
echo "$OUT"
