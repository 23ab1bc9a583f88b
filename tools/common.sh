# Shared by tools/run and tools/test: the Debian packages the project needs, and
# installing the missing ones. Sourced, not run.

build_packages=(
  meson ninja-build pkg-config gcc gettext
  libglib2.0-dev libglib2.0-bin libsoup-3.0-dev libjson-glib-dev libsecret-1-dev
  libgtk-4-dev libadwaita-1-dev libgnutls28-dev
  glib-networking desktop-file-utils appstream openssh-client
  systemd
)

session_packages=(
  xvfb xauth dbus dbus-x11 gnome-keyring at-spi2-core libsecret-tools procps
)

test_packages=(
  valgrind imagemagick openssh-server
  clang libclang-rt-14-dev   # the sanitizer build and the fuzzers: their runtimes
)

# tools/check-windows: the cross compiler, Wine, and what builds the libraries' sources.
windows_packages=(
  gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 wine64 wine cmake tcl publicsuffix
)

# tools/flatpak-runtime and tools/check-flatpak: the stand-in runtime, the build and the sandbox.
flatpak_packages=(
  flatpak flatpak-builder ostree bubblewrap debootstrap jq curl
  xdg-desktop-portal xdg-desktop-portal-gtk python3-gi gir1.2-atspi-2.0 imagemagick
)

umt_missing_packages() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed$' \
      || printf '%s\n' "$pkg"
  done
}

umt_install_packages() {
  local missing
  mapfile -t missing < <(umt_missing_packages "$@")
  [ ${#missing[@]} -eq 0 ] && return 0

  if [ "$(id -u)" -ne 0 ]; then
    echo "These Debian packages are missing: ${missing[*]}" >&2
    echo "Install them (sudo apt-get install ${missing[*]}) or run this as root." >&2
    exit 1
  fi
  echo "Installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get -o DPkg::Lock::Timeout=600 install -y -q "${missing[@]}"
}

umt_build() {
  local builddir=$1
  if [ ! -f "$builddir/build.ninja" ]; then
    meson setup "$builddir" --prefix=/usr/local
  fi
  meson compile -C "$builddir"
}
