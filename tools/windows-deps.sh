# Sourced by tools/check-windows: the MinGW-w64 prefix of the libraries the project links,
# built from the upstream tarballs of Debian's source packages. Sourced, not run.
#
# Expects $top, $host, $cross_file, $cache and $jobs; ensure_prefix sets $prefix. The
# prefix's key hashes this file, so editing the build steps here rebuilds it; editing
# tools/check-windows does not.

# In build order; each has a build_<name> function below.
source_packages=(
  zlib libffi pcre2 gettext glib2.0 json-glib
  libpsl nghttp2 sqlite3 libsoup3 openssl glib-networking
)

# A private apt: deb-src twins of the Debian entries the system already uses.
apt_dir=$cache/apt
export APT_CONFIG=$apt_dir/apt.conf

setup_apt() {
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/sources.list.d"
  cat > "$APT_CONFIG" <<CONF
Dir::Etc::SourceList "$apt_dir/sources.list";
Dir::Etc::SourceParts "$apt_dir/sources.list.d";
Dir::State::Lists "$apt_dir/lists";
Dir::Cache "$apt_dir";
Dir::Cache::archives "$apt_dir/archives";
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CONF
  # The system's lists tell which Debian suites it follows, and from where. The mirror here
  # lacks some of their tarballs: the current stable and unstable suites stand in for those.
  local entries archive
  entries=$(env -u APT_CONFIG apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' \
              'Origin: Debian' 'Identifier: Packages' | sort -u)
  if [ -z "$entries" ]; then
    echo "apt knows no Debian suite: run apt-get update first" >&2
    exit 1
  fi
  archive=$(awk '$2 !~ /-/ { print $1; exit }' <<< "$entries")
  cut -d' ' -f2 <<< "$entries" > "$apt_dir/own-suites"
  { cat <<< "$entries"; printf '%s stable main\n%s unstable main\n' "$archive" "$archive"; } \
    | sed 's|^|deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] |' \
    > "$apt_dir/sources.list"
  apt-get update -qq
}

# Each suite's Sources list: "list-file repository-uri suite".
source_lists() {
  apt-get indextargets --format '$(FILENAME) $(REPO_URI) $(RELEASE)' 'Identifier: Sources' \
    | sort -k3,3
}

# The upstream tarballs of a source package that Debian has, one "sha256 uri suite version" a
# line: the newest of the system's own suites first, then the others oldest first. The mirror
# here does not serve every version it lists, so callers take the first that downloads.
upstream_candidates() {
  local pkg=$1 list repo suite
  while read -r list repo suite; do
    /usr/lib/apt/apt-helper cat-file "$list" | awk -v RS= -v FS='\n' -v pkg="$pkg" \
      -v repo="$repo" -v suite="$suite" '
      $0 ~ "(^|\n)Package: " pkg "\n" {
        version = ""; directory = ""; in_sums = 0; n = 0
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^Version: /) version = substr($i, 10)
          else if ($i ~ /^Directory: /) directory = substr($i, 12)
          else if ($i ~ /^Checksums-Sha256:/) in_sums = 1
          else if ($i !~ /^ /) in_sums = 0
          else if (in_sums) {
            split($i, f, " ")
            if (f[3] ~ /\.orig\.tar\.[a-z0-9]+$/) { sum[++n] = f[1]; file[n] = f[3] }
          }
        }
        for (i = 1; i <= n; i++) print sum[i], repo directory "/" file[i], suite, version
      }'
  done < <(source_lists) > "$apt_dir/candidates"
  awk 'NR == FNR { own[$1] = 1; next } $3 in own' "$apt_dir/own-suites" "$apt_dir/candidates" \
    | sort -k4,4Vr
  awk 'NR == FNR { own[$1] = 1; next } !($3 in own)' "$apt_dir/own-suites" "$apt_dir/candidates" \
    | sort -k4,4V
}

# Downloads (or finds in the cache) the first upstream tarball of $1 that the mirror serves;
# prints its path.
fetch_upstream() {
  local pkg=$1 sum uri suite version tarball
  while read -r sum uri suite version; do
    tarball=$cache/sources/${uri##*/}
    if [ -f "$tarball" ] && sha256sum --status -c <<< "$sum  $tarball"; then
      echo "$tarball"
      return 0
    fi
    if /usr/lib/apt/apt-helper -qq download-file "$uri" "$tarball" "SHA256:$sum" >/dev/null 2>&1
    then
      echo "$tarball"
      return 0
    fi
    rm -f "$tarball"
  done < <(upstream_candidates "$pkg")
  echo "No upstream tarball of the $pkg source package could be downloaded" >&2
  return 1
}

# Unpacks $1's tarball into the work directory and enters it.
unpack() {
  rm -rf "$work/$1"
  mkdir -p "$work/$1"
  tar -xf "${tarballs[$1]}" -C "$work/$1" --strip-components=1
  cd "$work/$1"
}

configure_host() {
  ./configure --host="$host" --prefix="$prefix" --disable-static --enable-shared "$@"
}

meson_dep() {
  meson setup _build --cross-file "$prefix/cross-prefix.ini" --cross-file "$cross_file" \
    --prefix="$prefix" --libdir=lib --buildtype=release -Ddefault_library=shared \
    --wrap-mode=nodownload "$@"
  meson install -C _build
}

build_zlib() {
  # Debian's tarball has no win32/ makefile and zlib's configure refuses MinGW.
  local sources=(adler32 compress crc32 deflate gzclose gzlib gzread gzwrite infback inffast
                 inflate inftrees trees uncompr zutil)
  local name
  for name in "${sources[@]}"; do
    "$host-gcc" -O2 -c "$name.c" -o "$name.o"
  done
  "$host-ar" rcs libz.a "${sources[@]/%/.o}"
  install -D -m 0644 libz.a "$prefix/lib/libz.a"
  install -m 0644 zlib.h zconf.h "$prefix/include/"
  local version
  version=$(sed -n 's/^#define ZLIB_VERSION "\(.*\)"/\1/p' zlib.h)
  cat > "$prefix/lib/pkgconfig/zlib.pc" <<PC
prefix=$prefix
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: zlib
Description: zlib compression library
Version: $version
Libs: -L\${libdir} -lz
Cflags: -I\${includedir}
PC
}

build_libffi() {
  configure_host --disable-docs --disable-multi-os-directory
  make -j"$jobs"
  make install
}

build_pcre2() {
  # With its JIT, as on Linux: without it, every GRegex built with G_REGEX_OPTIMIZE logs a
  # debug message, and the app's own log writer compiles such regexes.
  configure_host --enable-jit --disable-pcre2grep-libz --disable-pcre2grep-libbz2
  make -j"$jobs" libpcre2-8.la
  make install-libLTLIBRARIES install-nodist_includeHEADERS install-pkgconfigDATA
}

build_gettext() {
  # Only the runtime's libintl.
  cd gettext-runtime
  configure_host --disable-java --disable-csharp --disable-libasprintf --disable-openmp \
    --disable-curses
  make -C intl -j"$jobs"
  make -C intl install
}

build_glib2.0() {
  meson_dep -Dtests=false -Dman=false -Dgtk_doc=false -Dinstalled_tests=false -Dxattr=false \
    -Dlibmount=disabled -Dselinux=disabled -Dsysprof=disabled -Dnls=enabled \
    -Doss_fuzz=disabled
}

build_json-glib() {
  # Newer than bookworm's (whose tarball the mirror lacks), it asks for a newer Meson than
  # bookworm's 1.0 but builds with it.
  sed -i "s/meson_version: '>= 1.2.0'/meson_version: '>= 1.0.0'/" meson.build
  meson_dep -Dintrospection=disabled -Ddocumentation=disabled -Dman=false -Dtests=false \
    -Dnls=disabled
}

build_libpsl() {
  # Only the library: the psl tool needs localtime_r, which MinGW-w64 lacks. The tarball
  # lacks the list (a git submodule upstream); Debian's publicsuffix has it.
  sed -i "/^subdir('\(tools\|tests\|fuzz\)')$/d" meson.build
  meson_dep -Druntime=no -Dbuiltin=true -Ddocs=false \
    -Dpsl_file=/usr/share/publicsuffix/public_suffix_list.dat
}

build_nghttp2() {
  # Its tarball has no configure script; CMake builds it as it is.
  cmake -S . -B _build -DCMAKE_SYSTEM_NAME=Windows -DCMAKE_C_COMPILER="$host-gcc" \
    -DCMAKE_CXX_COMPILER="$host-g++" \
    -DCMAKE_RC_COMPILER="$host-windres" -DCMAKE_INSTALL_PREFIX="$prefix" \
    -DCMAKE_BUILD_TYPE=Release -DENABLE_LIB_ONLY=ON -DENABLE_SHARED_LIB=ON \
    -DENABLE_STATIC_LIB=OFF
  cmake --build _build -j "$jobs"
  cmake --install _build
}

build_sqlite3() {
  # Its configure tells Windows by the programs' suffix, not by --host.
  export config_TARGET_EXEEXT=.exe
  configure_host --disable-tcl --disable-readline --disable-editline
  # BEXE: the generators run here are Linux programs, which its Tcl scripts name without .exe.
  make -j"$jobs" BEXE= libsqlite3.la sqlite3.h sqlite3.pc
  make BEXE= lib_install
  install -m 0644 sqlite3.h src/sqlite3ext.h "$prefix/include/"
  install -m 0644 sqlite3.pc "$prefix/lib/pkgconfig/"
}

build_libsoup3() {
  meson_dep -Dgssapi=disabled -Dntlm=disabled -Dbrotli=disabled -Dtls_check=false \
    -Dintrospection=disabled -Dvapi=disabled -Ddocs=disabled -Dtests=false -Dsysprof=disabled \
    -Dautobahn=disabled -Dpkcs11_tests=disabled
}

build_openssl() {
  ./Configure mingw64 --cross-compile-prefix="$host-" --prefix="$prefix" --libdir=lib \
    shared no-tests no-module no-legacy
  make -j"$jobs" build_libs
  make install_dev
}

build_glib-networking() {
  meson_dep -Dgnutls=disabled -Dopenssl=enabled -Dlibproxy=disabled -Dgnome_proxy=disabled \
    -Dinstalled_tests=false
}

# Makes sure the prefix for the current inputs exists; sets $prefix.
ensure_prefix() {
  setup_apt
  mkdir -p "$cache/sources"
  declare -gA tarballs
  local pkg
  for pkg in "${source_packages[@]}"; do
    tarballs[$pkg]=$(fetch_upstream "$pkg")
  done

  local key
  key=$( { sha256sum "$top/tools/windows-deps.sh" "$cross_file" | cut -d' ' -f1
           for pkg in "${source_packages[@]}"; do basename "${tarballs[$pkg]}"; done
           "$host-gcc" --version | head -n 1; } | sha256sum | cut -d' ' -f1)
  # One path whatever the key, since the libraries' .pc files name it.
  prefix=$cache/prefix
  if [ "$(cat "$prefix/.key" 2>/dev/null)" != "$key" ]; then
    rm -rf "$prefix"
    mkdir -p "$prefix"
    echo "$key" > "$prefix/.key"
  fi
  [ -f "$prefix/.complete" ] && return 0

  # A run that failed half way goes on from the first package it did not finish.
  echo "Building the Windows dependencies into $prefix (once)"
  mkdir -p "$prefix/include" "$prefix/lib/pkgconfig" "$prefix/bin"
  printf "[constants]\nprefix = '%s'\n" "$prefix" > "$prefix/cross-prefix.ini"
  rm -rf "$cache"/work.*
  work=$(mktemp -d "$cache/work.XXXXXX")
  local started=$SECONDS log status
  for pkg in "${source_packages[@]}"; do
    [ -f "$prefix/.built-$pkg" ] && continue
    echo "  $pkg ($(basename "${tarballs[$pkg]}"))"
    log=$work/$pkg.log
    # Not in an if: there, a failing step inside would not stop the build.
    set +e
    (set -e; unpack "$pkg"; "build_$pkg") > "$log" 2>&1
    status=$?
    set -e
    if [ "$status" -ne 0 ]; then
      tail -n 40 "$log" >&2
      echo "Building $pkg failed; its log: $log" >&2
      exit 1
    fi
    touch "$prefix/.built-$pkg"
  done
  rm -rf "$work"
  echo "Dependencies built in $(( SECONDS - started )) s"
  touch "$prefix/.complete"
}
