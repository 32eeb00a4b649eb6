# Shared by the editors' test scripts (sourced): the server under test and apt installs.

# The server under test: $MARGINALIA_SERVER, or else <repo>/target/release/marginalia, as an
# absolute path in `server`; exits 2 if there is none.
find_server() { # find_server REPO
  server="${MARGINALIA_SERVER:-$1/target/release/marginalia}"
  if [[ ! -x "$server" ]]; then
    echo "error: no server binary at $server: build it (cargo build --release) or set MARGINALIA_SERVER" >&2
    exit 2
  fi
  server="$(cd "$(dirname "$server")" && pwd)/$(basename "$server")"
}

apt_install() { # apt_install PACKAGE... (as root; waits for another apt to finish)
  if [[ $(id -u) -ne 0 ]]; then
    echo "error: $* not installed, and not root to apt-get install it" >&2
    exit 2
  fi
  echo "== apt-get install $*"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "$@" >/dev/null 2>&1 || {
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "$@" >/dev/null
  }
}
