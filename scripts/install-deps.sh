#!/usr/bin/env bash
# Installs the Debian 12 packages libportal needs to build, test and run. Idempotent: packages
# already present are left alone, and apt-get runs only when something is missing.
set -euo pipefail

PACKAGES=(
  # build
  build-essential cmake ninja-build pkg-config ccache git
  # core dependencies
  libdcmtk-dev dcmtk libgdcm-dev libsqlitecpp-dev libsqlite3-dev libfmt-dev libcli11-dev
  nlohmann-json3-dev libsodium-dev libcpp-httplib-dev libssl-dev zlib1g-dev libicu-dev
  libarchive-dev libturbojpeg0-dev libpng-dev libcairo2-dev libcurl4-openssl-dev
  libtomlplusplus-dev libcrack2-dev cracklib-runtime fonts-dejavu-core
  # tests and bindings (Debian's Python, never PyPI)
  catch2 pybind11-dev python3 python3-dev python3-pytest python3-numpy python3-pydicom
  # imaging: JPEG 2000 decoding; cross-checks with independent decoders for pydicom
  libopenjp2-7-dev python3-pil python3-gdcm
  python3-aiosmtpd poppler-utils
  # portald: HTTPS test certificates, HTTP benchmarks
  openssl wrk
  # DICOMweb round trip with the npm package dicomweb-client (shells/http/tests/dicomweb-client)
  nodejs
  # web app tests: Debian's Chromium, driven by npm playwright-core (never a downloaded browser)
  chromium
  tzdata
)

# npm: Debian's package, unless the installed nodejs already brings npm (e.g. NodeSource's).
command -v npm >/dev/null || PACKAGES+=(npm)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# The web app (shells/http/web) is built with Node.js and npm. Any Node >= 18 does: Debian's
# nodejs + npm, or a nodejs package that ships npm itself (then Debian's npm would conflict).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
