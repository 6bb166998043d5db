#!/bin/sh
# System packages the test suite needs beyond Python: headless Chromium and CJK fonts, for the test
# that opens the HTML report in a real browser.  Installed only when missing, and only where we may.
set -e
if command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "noto.*cjk"; then
    exit 0
fi
if [ "$(id -u)" = "0" ]; then
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq >/dev/null
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
else
    echo "warning: install chromium and fonts-noto-cjk for the browser test of the report" >&2
fi
