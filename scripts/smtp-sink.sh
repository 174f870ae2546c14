#!/usr/bin/env bash
# A throwaway SMTP server on the loopback that stores every message it receives in a
# Maildir, for the e-mail tests of crates/notify (issue 4 §5).
#
#   scripts/smtp-sink.sh start DIR   starts it (installing Debian's python3-aiosmtpd if
#                                    missing), prints the lines to export:
#                                    BALISE_TEST_SMTP=127.0.0.1:PORT and
#                                    BALISE_TEST_SMTP_MAILDIR=DIR/maildir
#   scripts/smtp-sink.sh stop DIR    stops it
#
# It uses /usr/bin/python3 explicitly: a pyenv python3 earlier on PATH would not see the
# Debian package.
set -euo pipefail

PYTHON=/usr/bin/python3
command=${1:-}
dir=${2:-}
if [[ -z "$command" || -z "$dir" ]]; then
    echo "usage: $0 start|stop DIR" >&2
    exit 2
fi

case "$command" in
start)
    if ! "$PYTHON" -c 'import aiosmtpd' 2>/dev/null; then
        echo "smtp-sink.sh: installing python3-aiosmtpd" >&2
        DEBIAN_FRONTEND=noninteractive apt-get update >&2 || true
        DEBIAN_FRONTEND=noninteractive apt-get install -y python3-aiosmtpd >&2
    fi
    # The Mailbox handler only creates the Maildir when the folder is missing: make it whole.
    mkdir -p "$dir/maildir/tmp" "$dir/maildir/new" "$dir/maildir/cur"
    dir=$(cd "$dir" && pwd)
    if [[ -f "$dir/sink.pid" ]] && kill -0 "$(cat "$dir/sink.pid")" 2>/dev/null; then
        echo "BALISE_TEST_SMTP=127.0.0.1:$(cat "$dir/port")"
        echo "BALISE_TEST_SMTP_MAILDIR=$dir/maildir"
        exit 0
    fi
    port=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    nohup "$PYTHON" -m aiosmtpd -n -l "127.0.0.1:$port" -c aiosmtpd.handlers.Mailbox "$dir/maildir" \
        >"$dir/sink.log" 2>&1 &
    echo $! >"$dir/sink.pid"
    echo "$port" >"$dir/port"
    for _ in $(seq 1 50); do
        if "$PYTHON" -c "import socket,sys; s=socket.create_connection(('127.0.0.1', $port), 0.2); s.close()" 2>/dev/null; then
            echo "BALISE_TEST_SMTP=127.0.0.1:$port"
            echo "BALISE_TEST_SMTP_MAILDIR=$dir/maildir"
            exit 0
        fi
        sleep 0.1
    done
    echo "smtp-sink.sh: the SMTP sink did not start; see $dir/sink.log" >&2
    cat "$dir/sink.log" >&2
    exit 1
    ;;
stop)
    if [[ -f "$dir/sink.pid" ]]; then
        kill "$(cat "$dir/sink.pid")" 2>/dev/null || true
        rm -f "$dir/sink.pid"
    fi
    ;;
*)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
