#!/usr/bin/env bash
# Browser tests drive Debian's Chromium (never a downloaded browser), the monitoring journey opens its XLSX
# export in Debian's LibreOffice (headless), quarterly reports are converted DOCX → PDF by LibreOffice Writer with
# Times New Roman's metrics (fonts-liberation) — through a converter that keeps one LibreOffice running, driven by
# the system Python's `uno` (python3-uno) — and their pages rendered by poppler-utils (pdftoppm, pdftotext) in the
# tests. Install whichever is missing.
set -euo pipefail
packages=()
[ -x /usr/bin/chromium ] || packages+=(chromium fonts-noto-core)
command -v soffice >/dev/null || packages+=(libreoffice-calc-nogui)
[ -e /usr/lib/libreoffice/program/libswlo.so ] || packages+=(libreoffice-writer-nogui)
command -v pdftoppm >/dev/null || packages+=(poppler-utils)
/usr/bin/python3 -c "import uno" 2>/dev/null || packages+=(python3-uno)
fc-list -q "Liberation Serif" 2>/dev/null || packages+=(fonts-liberation)
# the printable literacy certificate embeds Liberation Serif 2 (it has the Vietnamese glyphs)
[ -e /usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf ] || packages+=(fonts-liberation2)
# the certificate tests install an independent verifier from npm
command -v npm >/dev/null || packages+=(nodejs npm)
if [ ${#packages[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
  echo "${packages[*]} missing and cannot be installed without root: apt-get install ${packages[*]}" >&2; exit 1; fi
echo "Installing Debian's ${packages[*]} for the browser tests…"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${packages[@]}" >/dev/null
