#!/usr/bin/env bash
# Browser tests drive Debian's Chromium (never a downloaded browser), and the monitoring journey opens its XLSX
# export in Debian's LibreOffice (headless). Install whichever is missing.
set -euo pipefail
packages=()
[ -x /usr/bin/chromium ] || packages+=(chromium fonts-noto-core)
command -v soffice >/dev/null || packages+=(libreoffice-calc-nogui)
if [ ${#packages[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
  echo "${packages[*]} missing and cannot be installed without root: apt-get install ${packages[*]}" >&2; exit 1; fi
echo "Installing Debian's ${packages[*]} for the browser tests…"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${packages[@]}" >/dev/null
