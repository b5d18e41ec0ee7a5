#!/usr/bin/env bash
# Installs what the browser tests need beyond npm (Debian's Chromium), when this machine can.
# Without it the browser suites skip and say why; nothing else depends on it.
set -u
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian chromium for the browser tests..."
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
    && exit 0
  echo "Could not install chromium; browser tests will be skipped." >&2
else
  echo "chromium is not installed (sudo apt-get install chromium); browser tests will be skipped." >&2
fi
exit 0
