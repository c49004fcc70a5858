#!/usr/bin/env bash
# Install the system packages the real-engine and real-browser tests need:
#   chromium             -> /usr/bin/chromium (Playwright drives it via executable_path;
#                           never run `playwright install`)
#   virtuoso-opensource  -> virtuoso-t, isql-vt (tests start a private instance on loopback)
#   curl
# Idempotent: does nothing when the binaries are already present.
# As root: apt-get update + install. Not root: prints what to install and exits 0
# (the tests then fail loudly; they never skip).
set -euo pipefail

PACKAGES=(chromium virtuoso-opensource curl)

missing=()
command -v chromium   >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=("chromium (package chromium)")
command -v virtuoso-t >/dev/null 2>&1 || missing+=("virtuoso-t (package virtuoso-opensource)")
command -v isql-vt    >/dev/null 2>&1 || missing+=("isql-vt (package virtuoso-opensource)")
command -v curl       >/dev/null 2>&1 || missing+=("curl (package curl)")

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-system-deps: chromium, virtuoso-t, isql-vt and curl are present; nothing to do."
    exit 0
fi

echo "install-system-deps: missing: ${missing[*]}"

if [ "$(id -u)" -ne 0 ]; then
    cat >&2 <<MSG
install-system-deps: not running as root, so nothing was installed.
Install these Debian packages yourself, e.g.:
    sudo apt-get update
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${PACKAGES[*]}
Without them the server/browser tests will FAIL (they do not skip).
MSG
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${PACKAGES[@]}"

# The package's postinst may try to start the system-wide Virtuoso service
# (ports 1111/8890 on all interfaces) on machines without a denying policy-rc.d.
# The tests start their own private instance; warn if a system one is listening.
if command -v ss >/dev/null 2>&1 && ss -ltn 2>/dev/null | grep -qE ':(1111|8890)\b'; then
    echo "install-system-deps: note: something listens on port 1111 or 8890 (the packaged" \
         "Virtuoso service?). The tests do not need it." >&2
fi

for b in chromium virtuoso-t isql-vt curl; do
    command -v "$b" >/dev/null 2>&1 || { echo "install-system-deps: $b still missing after install" >&2; exit 1; }
done
echo "install-system-deps: done."
