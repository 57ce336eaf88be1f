#!/bin/sh
# deps.sh — make sure every library bcoslab builds against is installed.
#
# Each library is asked for by its pkg-config name; when one is missing, its Debian package is
# installed with apt-get (directly as root, through sudo otherwise). When neither is possible the
# script stops and prints the exact command a person has to run. Tools the tests drive (tmux,
# graphviz's dot, the sqlite3 shell students open table storage with) are checked the same way,
# by command name.
#
# usage: scripts/deps.sh           check and install what is missing
#        scripts/deps.sh --check   only report; exit 1 if something is missing
set -eu

# pkg-config module -> Debian package
LIBS="openssl:libssl-dev
libsecp256k1:libsecp256k1-dev
ncursesw:libncurses-dev
libcgraph:libgraphviz-dev
libgvc:libgraphviz-dev
cmocka:libcmocka-dev
rocksdb:librocksdb-dev
sqlite3:libsqlite3-dev
jansson:libjansson-dev
libedit:libedit-dev"

# command -> Debian package
TOOLS="pkg-config:pkg-config
cc:gcc
make:make
tmux:tmux
dot:graphviz
sqlite3:sqlite3"

missing=""
add() { case " $missing " in *" $1 "*) ;; *) missing="$missing $1" ;; esac; }

for pair in $TOOLS; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || add "${pair#*:}"
done
for pair in $LIBS; do
    if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists "${pair%%:*}"; then
        add "${pair#*:}"
    fi
done
# Debian's libsecp256k1 must come with its recovery module (FISCO recovers tx senders with it).
if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists libsecp256k1; then
    inc=$(pkg-config --variable=includedir libsecp256k1)
    [ -f "$inc/secp256k1_recovery.h" ] || add libsecp256k1-dev
fi

[ -z "$missing" ] && exit 0
missing=${missing# }
if [ "${1:-}" = "--check" ]; then
    echo "deps: missing: $missing" >&2
    exit 1
fi

if [ "$(id -u)" = 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo"
else
    echo "deps: these Debian packages are missing: $missing" >&2
    echo "deps: install them with:  sudo apt-get install -y $missing" >&2
    exit 1
fi

echo "deps: installing $missing"
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y --no-install-recommends $missing >/dev/null 2>&1; then
    $SUDO apt-get update -q >/dev/null
    if ! $SUDO apt-get install -y -q --no-install-recommends $missing; then
        echo "deps: apt-get failed; run by hand:  sudo apt-get update && sudo apt-get install -y $missing" >&2
        exit 1
    fi
fi
echo "deps: installed $missing"
