#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The series workflow, per base (BASE=7.3|6.12|6.1, see lib.sh).  The
# base's patches (patches/ for 7.3, patches/6.12/ and patches/6.1/ for the
# backports) are the source of truth; build/tree-<BASE> is a git
# repository at the base with the series applied as commits, for editing.
#
#   series.sh tree     (re)create the tree from base + patches
#   series.sh export   format-patch the tree back into its patches, refresh
#                      the exported views (drivers/, Documentation/, tools/,
#                      Kconfig), which every base's series must produce
#                      alike.  REROLL=N exports version N of the posting
#                      ([PATCH vN]); without V, the version the cover
#                      letter has (none until the series is reposted).
#                      A commit's git note ('git notes edit') is its
#                      changelog, exported below the '---' and taken
#                      back into the tree by 'series.sh tree'.
#   series.sh check    fail, with the reason, on any drift
#   series.sh apply D  clone the base into D and apply the patches there

set -euo pipefail
. "$(dirname "$0")/lib.sh"

P=${PATCHES#$TOP/}
T=${TREE#$TOP/}
# Files the series adds that the repository also carries, as exported views.
VIEWS=(drivers/nvme/host/dbbuf.c drivers/nvme/host/dbbuf.h
       Documentation/nvme/dbbuf.rst tools/testing/selftests/nvme-dbbuf)
COVER=0000-cover-letter.patch

# A fixed identity and date make the base commit, and so the series'
# base-commit line, the same on every machine.  It is a label for an
# imported tarball, not an author.
base_repo() {	# base_repo [SRC ID VERSION-LABEL]: the base's git repository
	load_base
	local src=${1:-$BASE_SRC} id=${2:-$BASE_ID}
	local label=${3:-Linux $LINUXVER${DEBVER:+ (Debian $DEBVER)}}
	local repo=$BUILD/base/$id/git
	# Made again whenever the subset it was made from changed.
	if ! cmp -s "$repo/.done" "$src/../.src-done"; then
		rm -rf "$repo" && mkdir -p "$repo"
		cp -a "$src/." "$repo/"
		(cd "$repo" && git init -q -b base &&
		 git add -A &&
		 GIT_AUTHOR_NAME="$SRCPKG import" \
		 GIT_AUTHOR_EMAIL="base@invalid" \
		 GIT_COMMITTER_NAME="$SRCPKG import" \
		 GIT_COMMITTER_EMAIL="base@invalid" \
		 GIT_AUTHOR_DATE="2000-01-01T00:00:00Z" \
		 GIT_COMMITTER_DATE="2000-01-01T00:00:00Z" \
		 git commit -q -m "base: $label subset") >&2
		cp "$src/../.src-done" "$repo/.done"
	fi
	echo "$repo"
}

series_list() {
	[ -f "$PATCHES/series" ] || die "$P/series is missing"
	grep -v -e '^#' -e '^[[:space:]]*$' "$PATCHES/series"
}

# Clone the base into $1 and apply the series there.
apply_series() {
	local dst=$1 base p
	load_base
	# APPLY_BASE: another base repository (make check's negative test,
	# the newest source); APPLY_LABEL names it.
	base=${APPLY_BASE:-$(base_repo)}
	local label=${APPLY_LABEL:-Linux $LINUXVER${DEBVER:+ (Debian $DEBVER)}}
	rm -rf "$dst"
	git clone -q "$base" "$dst" >&2
	(cd "$dst" && git checkout -q -b main &&
	 git config user.name "$(git -C "$TOP" config user.name || echo nvme-dbbuf)" &&
	 git config user.email "$(git -C "$TOP" config user.email || echo nvme-dbbuf@invalid)")
	for p in $(series_list); do
		[ -f "$PATCHES/$p" ] || die "$P/series lists $p, which is not in $P/"
		if ! (cd "$dst" && git am -q "$PATCHES/$p" >"$dst.am.log" 2>&1); then
			(cd "$dst" && git am --abort >/dev/null 2>&1 || true)
			# git am names the file and line of the hunk that failed.
			die "$P/$p does not apply to $label: $(grep -m2 -e '^error: patch failed' -e '^error: .*does not' "$dst.am.log" | sed 's/ *$//' | paste -sd';' | sed 's/;/; /g'); the base's nvme code is not what the series expects (rebase the series, or pick another KSRC)"
		fi
	done
}

# The posting's version: REROLL=N, or else the one the cover letter has.
series_version() {
	local v=${REROLL:-}
	if [ -z "$v" ] && [ -f "$PATCHES/$COVER" ]; then
		v=$(sed -n 's/^Subject: \[PATCH v\([0-9][0-9]*\) .*/\1/p' "$PATCHES/$COVER")
	fi
	[[ ${v:-1} =~ ^[1-9][0-9]*$ ]] || die "REROLL must be a posting's version (2, 3, ...), not '$v'"
	echo "${v:-1}"
}

# The changelog below a patch's '---' (git format-patch --notes), dedented.
patch_notes() {
	awk 'NR > 1 && /^---$/ && !sep { sep = 1; next }
	     sep && /^Notes:$/ { on = 1; next }
	     on && /^    / { print substr($0, 5); next }
	     on && /^$/ { print; next }
	     on { exit }
	     sep && /^diff --git / { exit }' "$1" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
}

cover_blurb() {	# subject and body of the cover letter, without the summary
	sed -n '/^Subject: /,/^-- *$/p' "$PATCHES/$COVER" |
		sed -e '/^-- *$/d' -e 's/^Subject: \[PATCH[^]]*\] //' |
		awk '/^[^ ].* \([0-9]+\):$/{exit} {print}'
}

do_tree() {
	if [ -d "$TREE/.git" ]; then
		if ! "$0" check >/dev/null 2>&1; then
			die "$T holds work that $P/ lacks; run 'make series BASE=$BASE' to export it, or remove $T to drop it"
		fi
	fi
	say "applying $P/ to the $BASE base in $T"
	apply_series "$TREE"
	if [ -f "$PATCHES/$COVER" ]; then
		git -C "$TREE" config branch.main.description "$(cover_blurb)"
	fi
	# git am drops what lies below '---': take the changelogs back as notes.
	local p c notes
	for p in $(series_list); do
		c=$(git -C "$TREE" rev-list --reverse base..main | sed -n "$(series_list | grep -nxF "$p" | cut -d: -f1)p")
		notes=$(patch_notes "$PATCHES/$p")
		[ -z "$notes" ] || git -C "$TREE" notes add -f -m "$notes" "$c"
	done
	say "$T: $(git -C "$TREE" rev-list --count base..main) patches on $(git -C "$TREE" log -1 --format=%s base)"
}

do_export() {
	[ -d "$TREE/.git" ] || die "no $T; run 'make tree BASE=$BASE' first"
	git -C "$TREE" diff --quiet HEAD &&
		git -C "$TREE" diff --cached --quiet HEAD ||
		die "$T has uncommitted edits; commit them first"
	local tmp ver vopt=()
	ver=$(series_version)
	# -v prefixes the names with vN-, within git's 64 characters: allow
	# for it, so that a patch keeps its name from version to version.
	[ "$ver" -eq 1 ] || vopt=(-v "$ver" --filename-max-length=$((64 + ${#ver} + 2)))
	tmp=$(mktemp -d)
	# No --base: the base commit is a local import of a Debian source
	# package, a hash no one else has.  The cover letter names the base
	# instead (upstream version and Debian package version), and
	# series-check verifies that it does.
	(cd "$TREE" && git format-patch -q --zero-commit --no-signature \
		--cover-letter --cover-from-description=subject --notes \
		"${vopt[@]}" -o "$tmp" base..HEAD)
	rm -f "$PATCHES"/*.patch
	mkdir -p "$PATCHES"
	# Stable names, whatever the version: v2-0001-... becomes 0001-...
	for f in "$tmp"/*.patch; do
		cp "$f" "$PATCHES/$(basename "$f" | sed 's/^v[0-9]*-//')"
	done
	# format-patch stamps the cover letter with the time of export.
	sed -i '1,/^$/{/^Date: /d}' "$PATCHES/$COVER"
	(cd "$PATCHES" && ls [0-9][0-9][0-9][0-9]-*.patch | grep -v "^$COVER") \
		> "$PATCHES/series"
	rm -rf "$tmp"
	export_views "$TREE"
	say "exported $(wc -l < "$PATCHES/series") patches and the cover letter to $P/${vopt[*]:+ (version $ver)}"
}

# The Kconfig entries the series adds (config NVME_PCI_DBBUF), as the
# repository's top-level Kconfig carries them: a header, then the entries
# exactly as in the tree's drivers/nvme/host/Kconfig.
KCONFIG_SYMS=(NVME_PCI_DBBUF)
kconfig_view() {
	local src=$1 sym
	printf '%s\n' '# SPDX-License-Identifier: GPL-2.0' \
		'#' \
		"# The Kconfig entries the series adds to drivers/nvme/host/Kconfig," \
		"# exported by 'make series'; 'make series-check' keeps them equal." \
		''
	for sym in "${KCONFIG_SYMS[@]}"; do
		# From "config SYM" to the line before the next entry.
		awk -v sym="$sym" '
			/^(config|menuconfig|menu|endmenu|if|endif|source|choice|endchoice|comment) / ||
			/^(endmenu|endif|endchoice)$/ { on = ($0 == "config " sym) }
			on { print }' "$src/drivers/nvme/host/Kconfig" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
	done
}

export_views() {
	local src=$1 v
	for v in "${VIEWS[@]}"; do
		rm -rf "${TOP:?}/$v"
		if [ -e "$src/$v" ]; then
			mkdir -p "$(dirname "$TOP/$v")"
			cp -a "$src/$v" "$TOP/$v"
		fi
	done
	kconfig_view "$src" > "$TOP/Kconfig"
}

do_check() {
	local tmp fail=0 v
	load_base
	tmp=$BUILD/series-check-$BASE
	# 1. The patches are consistent with themselves.
	local listed
	listed=$(series_list | sort)
	[ "$listed" = "$(cd "$PATCHES" && ls [0-9]*.patch | grep -v "^$COVER" | sort)" ] ||
		{ echo "series-check: $P/series and the patch files in $P/ differ"; fail=1; }
	[ -f "$PATCHES/$COVER" ] ||
		{ echo "series-check: $P/$COVER is missing"; fail=1; }
	if [ -f "$PATCHES/$COVER" ]; then
		grep -q '\*\*\* SUBJECT HERE \*\*\*' "$PATCHES/$COVER" &&
			{ echo "series-check: the cover letter has no subject"; fail=1; }
		# The cover letter names the base the series was made against.
		grep -q "^base-commit: " "$PATCHES/$COVER" &&
			{ echo "series-check: $P/$COVER has a base-commit line, a local hash no reviewer has; name the base instead"; fail=1; }
		grep -qF "Linux v$LINUXVER" "$PATCHES/$COVER" && grep -qF "${DEBVER:-no Debian version}" "$PATCHES/$COVER" ||
			{ echo "series-check: $P/$COVER does not name 'Linux v$LINUXVER' and Debian $DEBVER, the base checked here; name it in the cover letter's base line"; fail=1; }
		for p in $(series_list); do
			s=$(sed -n 's/^Subject: \[PATCH[^]]*\] //p' "$PATCHES/$p")
			grep -qF "$s" "$PATCHES/$COVER" ||
				{ echo "series-check: the cover letter's summary lacks '$s'; run 'make series BASE=$BASE'"; fail=1; }
		done
	fi
	# 2. It applies to the base.
	apply_series "$tmp"
	# 2b. And to the newest source of the line, when the base is an older
	# complete set (the newest lacks an image or headers): users get it
	# next.
	local newest=
	if [ -z "${KSRC:-}" ] && [ -n "${NEWEST_DEBVER:-}" ] && [ "$NEWEST_DEBVER" != "$DEBVER" ]; then
		local nv nsrc
		read -r nv nsrc < <("$TOP/scripts/base.sh" newest-source) ||
			die "cannot unpack the newest $SRCPKG"
		APPLY_BASE=$(base_repo "$nsrc" "$nv" "Linux ${nv%%-*} (Debian $nv, the newest $SRCPKG)") \
		APPLY_LABEL="Linux ${nv%%-*} (Debian $nv, the newest $SRCPKG)" \
			apply_series "$tmp-newest"
		newest=" and to the newest source, Debian $nv"
		rm -rf "$tmp-newest"
	fi
	# 3. The tree holds nothing that the patches lack.
	if [ -d "$TREE/.git" ]; then
		if ! git -C "$TREE" diff --quiet HEAD || [ -n "$(git -C "$TREE" status --porcelain)" ]; then
			echo "series-check: $T has uncommitted edits; commit them and run 'make series BASE=$BASE'"
			fail=1
		fi
		if ! cmp -s <(git -C "$TREE" format-patch --stdout --zero-commit --no-signature base..HEAD) \
			    <(git -C "$tmp" format-patch --stdout --zero-commit --no-signature base..HEAD); then
			echo "series-check: $T's commits differ from $P/; run 'make series BASE=$BASE' to export them (or 'make tree BASE=$BASE' to drop them)"
			fail=1
		fi
	fi
	# 4. The exported views equal what the series produces: one engine,
	# one kselftest and one documentation page for every base.
	for v in "${VIEWS[@]}"; do
		if [ -e "$tmp/$v" ] || [ -e "$TOP/$v" ]; then
			diff -rq "$tmp/$v" "$TOP/$v" >/dev/null 2>&1 ||
				{ echo "series-check: $v differs from what the $BASE series produces; the bases must share it (run 'make series BASE=$BASE' and compare with the other base)"; fail=1; }
		fi
	done
	# 5. The top-level Kconfig holds the series' entries, unchanged.
	grep -q "^config ${KCONFIG_SYMS[0]}\$" "$tmp/drivers/nvme/host/Kconfig" ||
		{ echo "series-check: the series adds no 'config ${KCONFIG_SYMS[0]}' to drivers/nvme/host/Kconfig"; fail=1; }
	cmp -s <(kconfig_view "$tmp") "$TOP/Kconfig" ||
		{ echo "series-check: Kconfig differs from the $BASE series' Kconfig entries; run 'make series BASE=$BASE'"; fail=1; }
	[ $fail -eq 0 ] || exit 1
	echo "series-check: OK, base $BASE ($(series_list | wc -l) patches in $P/ apply to Linux $LINUXVER${DEBVER:+ (Debian $DEBVER)}$newest; $T and the exported views match)"
}

case ${1:-} in
apply) [ -n "${2:-}" ] || die "usage: $0 apply DIR"; apply_series "$2" ;;
tree) do_tree ;;
export) do_export ;;
check) do_check ;;
*) die "usage: $0 tree|export|check" ;;
esac
