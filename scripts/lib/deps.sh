# Installs the Debian packages Latchkey builds against, when any is missing.
# Sourced by scripts/run and scripts/test, so a fresh Debian machine needs no separate step.
latchkey_packages=(libsqlite3-dev libssl-dev libcurl4-openssl-dev libpq-dev pkg-config)

latchkey_missing_packages() {
  local missing=()
  for p in "${latchkey_packages[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  echo "${missing[@]}"
}

latchkey_install_packages() {
  local missing
  missing=$(latchkey_missing_packages "$@")
  [ -z "$missing" ] && return 0
  echo "installing Debian packages: $missing" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
}
