#!/usr/bin/env bash
# Installs everything the test suite needs, then runs all of it (extra arguments go to pytest).
#   bash tests/run.sh            # the whole suite
#   bash tests/run.sh -k tables  # a part of it
# System packages (Debian/Ubuntu): Chromium for the browser tests, epubcheck for the EPUB,
# Pango/HarfBuzz and fonts for WeasyPrint. They are installed with apt-get when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(chromium epubcheck libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
  fonts-dejavu-core fonts-dejavu-extra fonts-noto-core fonts-wqy-microhei)
# Node.js and npm (for axe-core) may come from elsewhere than Debian: look for the commands.
command -v npm >/dev/null 2>&1 || SYSTEM_PACKAGES+=(nodejs npm)

missing=()
for pkg in "${SYSTEM_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "tests/run.sh: installing system packages: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

python3 -m pip install -q -e ".[test]"
if [ -f tests/browser/package.json ]; then
  (cd tests/browser && npm ci --silent --no-audit --no-fund)
fi
exec python3 -m pytest "$@"
