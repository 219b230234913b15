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
#                      The patches carry no Signed-off-by:, and their
#                      From: is the series' label, not a person.
#   series.sh check    fail, with the reason, on any drift
#   series.sh post [DIR]
#                      format the tree for posting into DIR (default
#                      build/post-BASE; BASE=7.3 unless given), under the
#                      identity of whoever runs it (git config user.name,
#                      user.email) with their Signed-off-by:, as
#                      'git format-patch --signoff' does; refuses a
#                      placeholder identity.  Prints the git send-email
#                      command; does not run it.
#   series.sh apply D  clone the base into D and apply the patches there

set -euo pipefail
# Posting is for the posting base, 7.3, unless BASE= names a backport
# (before lib.sh picks the running kernel's line).
[ "${1:-}" != post ] || BASE=${BASE:-7.3}
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

P=${PATCHES#$TOP/}
T=${TREE#$TOP/}
# Files the series adds that the repository also carries, as exported views.
VIEWS=(drivers/nvme/host/dbbuf.c drivers/nvme/host/dbbuf.h drivers/nvme/host/dbbuf_trace.h
       Documentation/nvme/dbbuf.rst tools/testing/selftests/nvme-dbbuf)
COVER=0000-cover-letter.patch

# The identity the repository's series is exported under: a label, as
# base_repo()'s import is, not a person.  The repository's series carries
# no Signed-off-by:; 'series.sh post' formats it under the identity of the
# person who posts it, with their Signed-off-by:, the DCO being theirs to
# give (Documentation/process/submitting-patches.rst).
LABEL_NAME="nvme-dbbuf series"
LABEL_EMAIL="series@invalid"
LABEL="$LABEL_NAME <$LABEL_EMAIL>"

# Scratch space, removed on exit.
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/series.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT

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

# The posting's version: REROLL=N, or else the one the cover letter in
# DIR (default: the base's patches) has.
series_version() {
	local v=${REROLL:-} dir=${1:-$PATCHES}
	if [ -z "$v" ] && [ -f "$dir/$COVER" ]; then
		v=$(sed -n 's/^Subject: \[PATCH v\([0-9][0-9]*\) .*/\1/p' "$dir/$COVER")
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

# The commit message on stdin without its Signed-off-by: lines, and without
# the blank lines that closed it once they are gone (as git stores a
# message: no trailing blank line).
strip_signoffs() {
	awk 'tolower($0) !~ /^signed-off-by:/' | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
}

# rewrite_series SRC DST NAME EMAIL: DST, a scratch mirror of the git
# repository SRC, whose commits after 'base' are SRC's authored by
# NAME <EMAIL> (author dates kept), with no Signed-off-by: in their
# messages; the notes and the branch description come along, so that
# format-patch in DST writes what it would in SRC.  SRC is not changed
# (DST borrows its objects).
rewrite_series() {
	local src=$1 dst=$2 name=$3 email=$4 branch desc c new parent date
	# (HEAD on no branch: no description, so no cover letter subject,
	# which series-check reports.)
	branch=$(git -C "$src" symbolic-ref --short -q HEAD || true)
	parent=$(git -C "$src" rev-parse -q --verify 'base^{commit}') ||
		die "${src#"$TOP"/} has no 'base' branch; run 'make tree BASE=$BASE'"
	rm -rf "$dst"
	# (Each step checked: callers may run this where set -e is off.)
	git clone -q --mirror --shared "$src" "$dst" ||
		die "cannot clone ${src#"$TOP"/} into $dst"
	for c in $(git -C "$src" rev-list --reverse base..HEAD); do
		date=$(git -C "$src" log -1 --format=%ad --date=raw "$c") &&
		new=$(git -C "$src" log -1 --format=%B "$c" | strip_signoffs |
			GIT_AUTHOR_NAME=$name GIT_AUTHOR_EMAIL=$email GIT_AUTHOR_DATE=$date \
			GIT_COMMITTER_NAME=$name GIT_COMMITTER_EMAIL=$email GIT_COMMITTER_DATE=$date \
			git -C "$dst" commit-tree -p "$parent" -F - "$c^{tree}") ||
			die "cannot rewrite commit $c of ${src#"$TOP"/}"
		if git -C "$src" notes list "$c" >/dev/null 2>&1; then
			# (a commit on the notes ref: under the same identity)
			GIT_AUTHOR_NAME=$name GIT_AUTHOR_EMAIL=$email \
			GIT_COMMITTER_NAME=$name GIT_COMMITTER_EMAIL=$email \
				git -C "$dst" notes copy "$c" "$new" ||
				die "cannot copy the note of commit $c of ${src#"$TOP"/}"
		fi
		parent=$new
	done
	if [ -z "$branch" ]; then
		git -C "$dst" update-ref --no-deref HEAD "$parent" ||
			die "cannot set HEAD in $dst"
		return 0
	fi
	git -C "$dst" update-ref "refs/heads/$branch" "$parent" &&
		git -C "$dst" symbolic-ref HEAD "refs/heads/$branch" ||
		die "cannot set the branch $branch in $dst"
	desc=$(git -C "$src" config "branch.$branch.description" || true)
	[ -z "$desc" ] || git -C "$dst" config "branch.$branch.description" "$desc"
}

# format_series SRC OUT NAME EMAIL [FORMAT-PATCH OPTION...]: the series
# (base..HEAD) of the git repository SRC, with its cover letter, formatted
# into OUT by git format-patch as NAME <EMAIL> wrote it: the From: of
# every patch and of the cover letter, the cover letter's shortlog, and
# with --signoff the Signed-off-by:.  No other Signed-off-by: is kept.
format_series() {
	local src=$1 out=$2 name=$3 email=$4 git
	shift 4
	git=$(mktemp -d "$SCRATCH/git.XXXXXX")
	rewrite_series "$src" "$git" "$name" "$email"
	# No --base: the base commit is a local import of a Debian source
	# package, a hash no one else has.  The cover letter names the base
	# instead (upstream version and Debian package version), and
	# series-check verifies that it does.
	(cd "$git" && GIT_COMMITTER_NAME=$name GIT_COMMITTER_EMAIL=$email \
		git format-patch -q --zero-commit --no-signature \
		--cover-letter --cover-from-description=subject "$@" -o "$out" base..HEAD) ||
		die "git format-patch of ${src#"$TOP"/} failed"
}

# series_stdout SRC: the series of SRC as one stream, under the label, for
# comparing two repositories' series whoever authored their commits.
series_stdout() {
	local git
	git=$(mktemp -d "$SCRATCH/git.XXXXXX")
	rewrite_series "$1" "$git" "$LABEL_NAME" "$LABEL_EMAIL"
	git -C "$git" format-patch --stdout --zero-commit --no-signature base..HEAD ||
		die "git format-patch of ${1#"$TOP"/} failed"
}

# trees_match A B: whether the git repositories A and B hold the same
# series, as it is exported (their authors and Signed-off-by: aside).
trees_match() {
	local a b
	a=$(mktemp "$SCRATCH/a.XXXXXX") b=$(mktemp "$SCRATCH/b.XXXXXX")
	series_stdout "$1" > "$a"
	series_stdout "$2" > "$b"
	cmp -s "$a" "$b"
}

# export_patches TREE DIR [VERSION]: format TREE's series into DIR, with
# its series file, under the label and with no Signed-off-by:; VERSION
# (default: series_version of DIR) > 1 posts it as [PATCH vN].
export_patches() {
	local tree=$1 dir=$2 ver=${3:-} tmp f vopt=()
	[ -n "$ver" ] || ver=$(series_version "$dir")
	# -v prefixes the names with vN-, within git's 64 characters: allow
	# for it, so that a patch keeps its name from version to version.
	[ "$ver" -eq 1 ] || vopt=(-v "$ver" --filename-max-length=$((64 + ${#ver} + 2)))
	tmp=$(mktemp -d "$SCRATCH/export.XXXXXX")
	# --no-signoff: whatever format.signOff says.
	format_series "$tree" "$tmp" "$LABEL_NAME" "$LABEL_EMAIL" \
		--notes --no-signoff "${vopt[@]}"
	mkdir -p "$dir"
	rm -f "$dir"/*.patch
	# Stable names, whatever the version: v2-0001-... becomes 0001-...
	for f in "$tmp"/*.patch; do
		cp "$f" "$dir/$(basename "$f" | sed 's/^v[0-9]*-//')"
	done
	# format-patch stamps the cover letter with the time of export.
	sed -i '1,/^$/{/^Date: /d}' "$dir/$COVER"
	(cd "$dir" && ls [0-9][0-9][0-9][0-9]-*.patch | grep -v "^$COVER") \
		> "$dir/series"
	series_hygiene "$dir" >&2 ||
		die "the export to ${dir#"$TOP"/} fails the hygiene check (above)"
}

# patch_from FILE: the From: header of a patch, unfolded.
patch_from() {
	awk 'NR == 1 { next }
	     /^$/ { exit }
	     /^From: / { on = 1; v = substr($0, 7); next }
	     on && /^[ \t]/ { v = v $0; next }
	     { on = 0 }
	     END { print v }' "$1"
}

# series_hygiene DIR: the repository's series names no person: each patch
# in DIR is From: the label and has no Signed-off-by: (the poster's is
# added by 'series.sh post').  Prints each offence, naming the file; fails
# on any.
series_hygiene() {
	local dir=$1 f from name bad=0 line
	for f in "$dir"/*.patch; do
		[ -e "$f" ] || continue
		name=${f#"$TOP"/}
		from=$(patch_from "$f")
		if [ "$from" != "$LABEL" ]; then
			echo "series-check: $name: From: ${from:-(none)}, not the series' label '$LABEL': the repository's series names no person (run 'make series BASE=$BASE'; 'make post' formats it under your name)"
			bad=1
		fi
		while IFS= read -r line; do
			echo "series-check: $name:${line%%:*}: a Signed-off-by: line ('${line#*:}'): the repository's series carries none, 'make post' adds the poster's (run 'make series BASE=$BASE' to drop it)"
			bad=1
		done < <(grep -n -i '^signed-off-by:' "$f" || true)
	done
	[ $bad -eq 0 ]
}

# post_ident DIR: set POST_NAME and POST_EMAIL from git config in DIR
# (user.name, user.email), as 'git format-patch --signoff' takes them; die,
# saying what is wrong, when they are unset or not a person's.
post_ident() {
	local dir=$1 origin
	POST_NAME=$(git -C "$dir" config user.name || true)
	POST_EMAIL=$(git -C "$dir" config user.email || true)
	# Where git found them: a repository's own setting beats --global.
	origin=$(git -C "$dir" config --show-origin --get-regexp '^user\.(name|email)$' 2>/dev/null |
		cut -f1 | sed 's/^file://' | sort -u | paste -sd, || true)
	IDENT_ORIGIN=${origin:+ (set in $origin)}
	check_ident "$POST_NAME" "$POST_EMAIL"
}

# check_ident NAME EMAIL: die unless NAME <EMAIL> can sign off a patch.
check_ident() {
	local name=$1 email=$2 domain lc
	local set_it="set yours with 'git config user.name \"Your Name\"' and 'git config user.email you@your.domain' in this repository, or with --global${IDENT_ORIGIN:-}"
	[ -n "${name//[[:space:]]/}" ] ||
		die "post: git config user.name is not set: the From: and Signed-off-by: of a posting name the person who certifies the DCO; $set_it"
	[ -n "${email//[[:space:]]/}" ] ||
		die "post: git config user.email is not set: the From: and Signed-off-by: of a posting give the address of the person who certifies the DCO; $set_it"
	if [[ $name =~ Seed\ [0-9a-f]+\ maintainers ]] || [[ ${email,,} == *maintainers@* ]]; then
		die "post: git config user.name and user.email give '$name <$email>', the placeholder identity of the series' first export, not a person: a Signed-off-by: must be yours; $set_it"
	fi
	case $name in
	*[\<\>]*|*$'\n'*) die "post: git config user.name '$name' is not a name alone (no <, > or newline); $set_it" ;;
	esac
	lc=${email,,}
	[[ $lc =~ ^[^@[:space:]\<\>]+@[^@[:space:]\<\>]+$ ]] ||
		die "post: git config user.email '$email' is not an email address; $set_it"
	[[ $lc != *noreply* ]] ||
		die "post: git config user.email '$email' is a no-reply address: a Signed-off-by: gives an address that reaches its signer; $set_it"
	domain=${lc#*@}
	domain=${domain%.}
	case $domain in
	example|invalid|test|localhost|*.example|*.invalid|*.test|*.localhost|\
	example.com|example.net|example.org|*.example.com|*.example.net|*.example.org)
		die "post: git config user.email '$email' is in $domain, a domain reserved for examples and tests (RFC 2606, RFC 6761) that receives no mail; $set_it" ;;
	esac
}

# post_series TREE PATCHDIR OUT CONFDIR: format TREE's series into OUT for
# posting, under the identity git config gives in CONFDIR, with its
# Signed-off-by:.  TREE must hold what PATCHDIR does (what is posted is
# what the repository holds); the version is REROLL or PATCHDIR's.
# Writes nothing unless all is well.
post_series() {
	local tree=$1 pdir=$2 out=$3 confdir=$4 ver vopt=() tmp f n want
	local sob bad=() other
	post_ident "$confdir"
	[ -d "$tree/.git" ] || die "post: no ${tree#"$TOP"/}; run 'make tree BASE=$BASE' first"
	git -C "$tree" diff --quiet HEAD && git -C "$tree" diff --cached --quiet HEAD ||
		die "post: ${tree#"$TOP"/} has uncommitted edits; commit them, run 'make series BASE=$BASE' and commit ${pdir#"$TOP"/} first"
	ver=$(series_version "$pdir")
	[ -z "${REROLL:-}" ] || [ "$(REROLL='' series_version "$pdir")" = "$ver" ] ||
		die "post: REROLL=$REROLL, but ${pdir#"$TOP"/} is version $(REROLL='' series_version "$pdir"); run 'make series BASE=$BASE REROLL=$REROLL' and commit ${pdir#"$TOP"/} first"
	# The tree is the repository's series: export it aside and compare.
	tmp=$(mktemp -d "$SCRATCH/post.XXXXXX")
	export_patches "$tree" "$tmp/export" "$ver"
	(cd "$tmp/export" && printf '%s\n' *) | LC_ALL=C sort > "$tmp/want"
	(cd "$pdir" && for f in *.patch series; do [ ! -e "$f" ] || echo "$f"; done) |
		LC_ALL=C sort > "$tmp/have"
	cmp -s "$tmp/want" "$tmp/have" ||
		die "post: ${tree#"$TOP"/} holds another series than ${pdir#"$TOP"/} (other files: $(diff "$tmp/want" "$tmp/have" | sed -n 's/^[<>] //p' | paste -sd' ')); run 'make series BASE=$BASE' and commit ${pdir#"$TOP"/}, so that what is posted is what the repository holds"
	while IFS= read -r f; do
		cmp -s "$tmp/export/$f" "$pdir/$f" ||
			die "post: ${tree#"$TOP"/} differs from ${pdir#"$TOP"/}/$f; run 'make series BASE=$BASE' and commit ${pdir#"$TOP"/}, so that what is posted is what the repository holds"
	done < "$tmp/want"
	[ "$ver" -eq 1 ] || vopt=(-v "$ver")
	format_series "$tree" "$tmp/post" "$POST_NAME" "$POST_EMAIL" \
		--notes --signoff "${vopt[@]}"
	# As git format-patch --signoff writes it: one, this person's, in each
	# patch, and no other.
	want="Signed-off-by: $POST_NAME <$POST_EMAIL>"
	for f in "$tmp/post"/*.patch; do
		case $f in *-0000-cover-letter.patch|*/0000-cover-letter.patch) continue ;; esac
		sob=$(grep -c -x -F "$want" "$f" || true)
		other=$(grep -i '^signed-off-by:' "$f" | grep -v -x -F "$want" || true)
		[ "$sob" = 1 ] && [ -z "$other" ] || bad+=("$(basename "$f")")
	done
	[ ${#bad[@]} -eq 0 ] ||
		die "post: git format-patch --signoff did not leave exactly '$want' in ${bad[*]}"
	mkdir -p "$out"
	# The previous posting's patches, if any, would be sent along.
	rm -f "$out"/*.patch
	cp "$tmp/post"/*.patch "$out/"
	n=$(find "$tmp/post" -name '*.patch' | wc -l)
	echo "post: $n files for base $BASE${vopt[*]:+, version $ver}, From: and Signed-off-by: $POST_NAME <$POST_EMAIL>:"
	for f in "$out"/*.patch; do
		echo "  ${f#"$PWD"/}"
	done
	echo "post: next, after reading them (and 'git send-email --dry-run'), not run here:"
	echo "  git send-email --to=linux-nvme@lists.infradead.org $(printf '%q' "${out#"$PWD"/}")/*.patch"
	echo "  (with --cc= whom the kernel's scripts/get_maintainer.pl names for them)"
	[ "$BASE" = 7.3 ] ||
		echo "  (these are the $BASE backport: upstream takes the 7.3 series; stable only what is upstream)"
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
	local ver
	export_patches "$TREE" "$PATCHES"
	ver=$(series_version "$PATCHES")
	export_views "$TREE"
	say "exported $(wc -l < "$PATCHES/series") patches and the cover letter to $P/$([ "$ver" -eq 1 ] || echo " (version $ver)")"
}

do_post() {
	local out=${1:-$BUILD/post-$BASE}
	post_series "$TREE" "$PATCHES" "$out" "$TOP"
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
	# 1b. It names no person: From: the label, no Signed-off-by:.
	series_hygiene "$PATCHES" || fail=1
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
		# As exported: under the label, without Signed-off-by: (the
		# tree's commits may have either).
		if ! trees_match "$TREE" "$tmp"; then
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
	# 5. No new Kconfig symbol, no new module parameter: shadow doorbells
	# are turned off per device with nvme.quirks=.  A backport's own
	# quirks parameter, where the base lacks it, is the one exception.
	if git -C "$tmp" diff base -- drivers/nvme/host/Kconfig | grep -q '^+[[:space:]]*\(menu\)\?config '; then
		echo "series-check: the $BASE series adds a Kconfig symbol to drivers/nvme/host/Kconfig; use a quirk (nvme.quirks=)"; fail=1
	fi
	if git -C "$tmp" diff base -- drivers/nvme/host/ | grep '^+.*module_param' | grep -qv 'quirks'; then
		echo "series-check: the $BASE series adds a module parameter to nvme-pci: $(git -C "$tmp" diff base -- drivers/nvme/host/ | grep '^+.*module_param' | grep -v quirks | head -1)"; fail=1
	fi
	[ $fail -eq 0 ] || exit 1
	echo "series-check: OK, base $BASE ($(series_list | wc -l) patches in $P/ apply to Linux $LINUXVER${DEBVER:+ (Debian $DEBVER)}$newest; $T and the exported views match)"
}

# Sourced (tests/series/run.sh): the functions only.
[ "${BASH_SOURCE[0]}" = "$0" ] || return 0

case ${1:-} in
apply) [ -n "${2:-}" ] || die "usage: $0 apply DIR"; apply_series "$2" ;;
tree) do_tree ;;
export) do_export ;;
check) do_check ;;
post) do_post "${2:-}" ;;
*) die "usage: $0 tree|export|check|post [DIR]|apply DIR" ;;
esac
