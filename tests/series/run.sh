#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/series.sh's submission hygiene, on a throwaway git tree shaped as
# 'series.sh tree' makes one (a 'base' branch, the series on 'main', a
# branch description for the cover letter, a changelog in a git note),
# whose commits carry Signed-off-by: trailers:
#
#   - the export (what 'make series' writes into patches/) has no
#     Signed-off-by: and is From: the series' label, the rest as before;
#     applied again, it is the same series as the tree (series-check's
#     comparison);
#   - the hygiene check of series-check fails, naming the file, on a patch
#     with a Signed-off-by: or with a person's From:;
#   - post refuses a placeholder identity, a no-mail address and an unset
#     one, writing nothing, and otherwise formats the series From: and
#     Signed-off-by: the poster.
#
# Nothing outside a temporary directory is read or written but series.sh
# and lib.sh; the user's git configuration is not read.  Prints TAP.

# A '! cmd' line is a negative whose status the next line reads.
# shellcheck disable=SC2251
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
SERIES=$TOP/scripts/series.sh
WORK=$(mktemp -d "${TMPDIR:-/tmp}/series-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# Isolated from the user's git configuration and environment.
export HOME=$WORK/home GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export BUILD=$WORK/build TMPDIR=$WORK/tmp BASE=7.3
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL \
	GIT_AUTHOR_DATE GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL \
	GIT_COMMITTER_DATE REROLL
mkdir -p "$HOME" "$BUILD" "$TMPDIR"

LABEL="nvme-dbbuf series <series@invalid>"
PLACEHOLDER_NAME="Seed e580c573 maintainers"
PLACEHOLDER_EMAIL="maintainers@users.noreply.h-seed-e580c573.example"
ADA="Ada Example-Free <ada@kernel.org>"

n=0 bad=0
# result RC NAME [LOG]: one TAP line; a failure shows the log.
result() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - series: $2"
	else
		bad=$((bad + 1))
		echo "not ok $n - series: $2"
		[ -z "${3:-}" ] || [ ! -s "$3" ] || sed 's/^/#   /' "$3"
	fi
}

# sfn FUNCTION ARG...: a function of series.sh, in a shell of its own.
# shellcheck source=/dev/null
sfn() { ( . "$SERIES" && "$@" ); }

# as NAME EMAIL CMD...: CMD with NAME <EMAIL> as author and committer.
as() {
	local name=$1 email=$2
	shift 2
	GIT_AUTHOR_NAME=$name GIT_AUTHOR_EMAIL=$email \
	GIT_COMMITTER_NAME=$name GIT_COMMITTER_EMAIL=$email \
	GIT_AUTHOR_DATE="2026-11-30T07:39:21Z" GIT_COMMITTER_DATE="2026-11-30T07:39:21Z" "$@"
}

# The tree: a base with one file, two commits on main, both signed off
# (one by the placeholder, one by someone else), the second with a Fixes:
# tag and a changelog note.
TREE=$WORK/tree
git init -q -b base "$TREE"
printf 'int base;\n' > "$TREE/base.c"
git -C "$TREE" add base.c
as "fake import" base@invalid git -C "$TREE" commit -q -m "base: a fake base"
git -C "$TREE" checkout -q -b main
printf 'int a;\n' > "$TREE/a.c"
git -C "$TREE" add a.c
as "$PLACEHOLDER_NAME" "$PLACEHOLDER_EMAIL" git -C "$TREE" commit -q -F - <<EOF
fake: add a

The body of the first patch.

Signed-off-by: $PLACEHOLDER_NAME <$PLACEHOLDER_EMAIL>
EOF
printf 'int a = 1;\n' > "$TREE/a.c"
as "Some One" someone@kernel.org git -C "$TREE" commit -q -a -F - <<EOF
fake: give a a value

The body of the second patch.

Fixes: 0123456789ab ("fake: add a")
Signed-off-by: Some One <someone@kernel.org>
Signed-off-by: $PLACEHOLDER_NAME <$PLACEHOLDER_EMAIL>
EOF
as "Some One" someone@kernel.org git -C "$TREE" notes add -m "v2: a value" HEAD
git -C "$TREE" config branch.main.description "$(printf 'fake: a test series\n\nThe cover letter of a test series.')"

# conf DIR [NAME [EMAIL]]: a repository whose git config has this identity
# (none when not given), as the project's repository has the poster's.
conf() {
	git init -q "$1"
	[ -z "${2+x}" ] || git -C "$1" config user.name "$2"
	[ -z "${3+x}" ] || git -C "$1" config user.email "$3"
}

# --- export ------------------------------------------------------------

P=$WORK/patches
sfn export_patches "$TREE" "$P" >"$WORK/export.log" 2>&1
result $? "export formats the tree into a patches directory" "$WORK/export.log"

[ "$(cd "$P" && echo *)" = "0000-cover-letter.patch 0001-fake-add-a.patch 0002-fake-give-a-a-value.patch series" ] &&
	[ "$(cat "$P/series")" = "$(printf '0001-fake-add-a.patch\n0002-fake-give-a-a-value.patch')" ]
result $? "export: the cover letter, the two patches, and the series file"

! grep -i -n 'signed-off-by' "$P"/*.patch >"$WORK/sob.log"
result $? "export: no Signed-off-by: in the exported patches" "$WORK/sob.log"

rc=0
for f in "$P"/*.patch; do
	from=$(sfn patch_from "$f")
	[ "$from" = "$LABEL" ] || { echo "${f##*/}: From: $from"; rc=1; }
done >"$WORK/from.log"
! grep -n -e 'Seed' -e 'Some One' -e 'maintainers@' "$P"/*.patch >>"$WORK/from.log" || rc=1
result $rc "export: every From: (the cover letter's too) is '$LABEL', and no author is named" "$WORK/from.log"

# The rest as format-patch writes it: the message closes at its last line
# before the '---', the Fixes: tag kept, the note below it.
grep -A1 -x 'The body of the first patch.' "$P/0001-fake-add-a.patch" | tail -n1 | grep -qx -- '---' &&
	grep -A1 '^Fixes: 0123456789ab ("fake: add a")$' "$P/0002-fake-give-a-a-value.patch" | tail -n1 | grep -qx -- '---' &&
	grep -A2 '^Notes:$' "$P/0002-fake-give-a-a-value.patch" | grep -qx '    v2: a value' &&
	grep -q '^Subject: \[PATCH 0/2\] fake: a test series$' "$P/0000-cover-letter.patch" &&
	grep -qx 'nvme-dbbuf series (2):' "$P/0000-cover-letter.patch" &&
	! grep -q '^Date: ' "$P/0000-cover-letter.patch" &&
	grep -q '^Date: ' "$P/0001-fake-add-a.patch"
result $? "export: the message ends at its last trailer, the note below '---', the cover letter's subject and shortlog, no Date: on it"

# The tree is unchanged: its commits still carry their Signed-off-by:.
[ "$(git -C "$TREE" log --format=%B base..main | grep -c '^Signed-off-by:')" = 3 ] &&
	[ -z "$(git -C "$TREE" status --porcelain)" ]
result $? "export: the tree itself is left as it was"

# Applied again (as 'series.sh tree' and series-check do), the patches
# make commits authored by the label, and the same series as the tree.
AM=$WORK/am
git clone -q -b base "$TREE" "$AM" && git -C "$AM" checkout -q -b main &&
	while IFS= read -r p; do
		as "committer" committer@invalid git -C "$AM" am -q "$P/$p" || exit 1
	done <"$P/series" >"$WORK/am.log" 2>&1
rc=$?
[ $rc -eq 0 ] && [ "$(git -C "$AM" log --format='%an <%ae>' base..main | sort -u)" = "$LABEL" ] &&
	! git -C "$AM" log --format=%B base..main | grep -qi '^signed-off-by:'
result $? "export: git am of the patches authors the commits as the label, with no Signed-off-by:" "$WORK/am.log"

sfn trees_match "$TREE" "$AM" >"$WORK/match.log" 2>&1
result $? "check: the tree (signed off, authored by people) matches its exported patches applied again" "$WORK/match.log"

as "Some One" someone@kernel.org git -C "$AM" commit -q --allow-empty -m "fake: one more"
! sfn trees_match "$TREE" "$AM" >"$WORK/nomatch.log" 2>&1
result $? "check: a tree with a commit the patches lack does not match (negative)" "$WORK/nomatch.log"

# --- check -------------------------------------------------------------

sfn series_hygiene "$P" >"$WORK/hyg.log" 2>&1 && [ ! -s "$WORK/hyg.log" ]
result $? "check: the exported patches pass the hygiene check, silently" "$WORK/hyg.log"

# hygiene_fails NAME SED-SCRIPT FILE PATTERN: a copy of the export with
# FILE edited must fail the check, with a message naming FILE that
# matches PATTERN.
hygiene_fails() {
	local name=$1 script=$2 file=$3 pattern=$4 d=$WORK/tampered-$n
	cp -r "$P" "$d"
	sed -i "$script" "$d/$file"
	cmp -s "$P/$file" "$d/$file" || {
		! sfn series_hygiene "$d" >"$d.log" 2>&1 &&
			grep -q "$d/$file.*$pattern" "$d.log" &&
			[ "$(grep -c . "$d.log")" = 1 ]
	}
	result $? "check: $name fails, naming the file (negative)" "$d.log"
}
hygiene_fails "a patch with a Signed-off-by:" \
	"s/^Fixes: .*/&\nSigned-off-by: Some One <someone@kernel.org>/" \
	0002-fake-give-a-a-value.patch ":[0-9]*: a Signed-off-by: line ('Signed-off-by: Some One"
hygiene_fails "a patch From: a person" \
	"s/^From: $LABEL\$/From: $ADA/" \
	0001-fake-add-a.patch "From: $ADA, not the series' label"
hygiene_fails "a patch From: the placeholder, folded as git folds it" \
	"s/^From: $LABEL\$/From: $PLACEHOLDER_NAME\n <$PLACEHOLDER_EMAIL>/" \
	0001-fake-add-a.patch "From: $PLACEHOLDER_NAME <$PLACEHOLDER_EMAIL>, not"
hygiene_fails "a cover letter From: a person" \
	"s/^From: $LABEL\$/From: $ADA/" \
	0000-cover-letter.patch "From: $ADA, not"
hygiene_fails "a lower-case signed-off-by:" \
	"s/^The body of the first patch.\$/&\n\nsigned-off-by: $ADA/" \
	0001-fake-add-a.patch "a Signed-off-by: line"

# --- post --------------------------------------------------------------

# post_refuses NAME PATTERN [USER.NAME [USER.EMAIL]]: post, with this
# identity in git config, fails with a message matching PATTERN, and
# writes nothing.
post_refuses() {
	local name=$1 pattern=$2 d=$WORK/refuse-$n
	shift 2
	conf "$d.conf" "$@"
	! sfn post_series "$TREE" "$P" "$d.out" "$d.conf" >"$d.log" 2>&1 &&
		grep -q "^error: post: .*$pattern" "$d.log" && [ ! -e "$d.out" ]
	result $? "post refuses $name, and writes nothing (negative)" "$d.log"
}
post_refuses "the placeholder identity" "the placeholder identity of the series' first export" \
	"$PLACEHOLDER_NAME" "$PLACEHOLDER_EMAIL"
post_refuses "the placeholder name with a real address" "placeholder identity" \
	"$PLACEHOLDER_NAME" ada@kernel.org
post_refuses "a maintainers@ address" "placeholder identity" \
	"Ada Example-Free" maintainers@kernel.org
post_refuses "an .example address" "'ada@kernel.example' is in kernel.example, a domain reserved" \
	"Ada Example-Free" ada@kernel.example
post_refuses "an .invalid address" "is in invalid, a domain reserved" \
	"Ada Example-Free" ada@invalid
post_refuses "a .test address" "a domain reserved" "Ada Example-Free" ada@mail.test
post_refuses "a .localhost address" "a domain reserved" "Ada Example-Free" ada@box.localhost
post_refuses "an example.com address" "a domain reserved" "Ada Example-Free" ada@example.com
post_refuses "a noreply address" "a no-reply address" \
	"Ada Example-Free" 12345+ada@users.noreply.github.com
post_refuses "an address that is none" "is not an email address" "Ada Example-Free" ada.kernel.org
post_refuses "an unset user.email" "git config user.email is not set" "Ada Example-Free"
post_refuses "an unset user.name" "git config user.name is not set"
post_refuses "an empty user.name" "git config user.name is not set" "" ada@kernel.org

# A tree that holds more than the patches: not what the repository holds.
STALE=$WORK/stale-tree
git clone -q "$TREE" "$STALE" && git -C "$STALE" branch -q base origin/base &&
	git -C "$STALE" config branch.main.description "$(git -C "$TREE" config branch.main.description)" &&
	printf 'int b;\n' > "$STALE/b.c" && git -C "$STALE" add b.c &&
	as "Ada Example-Free" ada@kernel.org git -C "$STALE" commit -q -m "fake: unexported"
conf "$WORK/ada.conf" "Ada Example-Free" ada@kernel.org
! sfn post_series "$STALE" "$P" "$WORK/stale.out" "$WORK/ada.conf" >"$WORK/stale.log" 2>&1 &&
	grep -q "^error: post: .*holds another series than .*run 'make series" "$WORK/stale.log" &&
	[ ! -e "$WORK/stale.out" ]
result $? "post refuses a tree with work its patches lack, and writes nothing (negative)" "$WORK/stale.log"

# And now a real-looking identity (a test fixture: no commit anywhere is
# authored by it).
OUT=$WORK/post
mkdir -p "$OUT" && : > "$OUT/0003-stale-from-an-earlier-posting.patch"
sfn post_series "$TREE" "$P" "$OUT" "$WORK/ada.conf" >"$WORK/post.log" 2>&1
result $? "post formats the series as $ADA" "$WORK/post.log"

[ "$(cd "$OUT" && echo *)" = "0000-cover-letter.patch 0001-fake-add-a.patch 0002-fake-give-a-a-value.patch" ]
result $? "post: the cover letter and the two patches, and nothing left of an earlier posting" "$WORK/post.log"

rc=0
for f in "$OUT"/*.patch; do
	from=$(sfn patch_from "$f")
	[ "$from" = "$ADA" ] || { echo "${f##*/}: From: $from"; rc=1; }
done >"$WORK/post-from.log"
result $rc "post: every From: is $ADA" "$WORK/post-from.log"

rc=0
for f in "$OUT"/000[12]-*.patch; do
	[ "$(grep -i '^signed-off-by:' "$f")" = "Signed-off-by: $ADA" ] ||
		{ echo "${f##*/}:"; grep -i '^signed-off-by:' "$f"; rc=1; }
done >"$WORK/post-sob.log"
! grep -qi '^signed-off-by:' "$OUT/0000-cover-letter.patch" || rc=1
result $rc "post: each patch has one Signed-off-by:, $ADA's, and no other; the cover letter none" "$WORK/post-sob.log"

grep -A1 '^Fixes: 0123456789ab ("fake: add a")$' "$OUT/0002-fake-give-a-a-value.patch" | tail -n1 |
	grep -qx "Signed-off-by: $ADA" &&
	grep -A2 '^Notes:$' "$OUT/0002-fake-give-a-a-value.patch" | grep -qx '    v2: a value' &&
	grep -qx 'Ada Example-Free (2):' "$OUT/0000-cover-letter.patch" &&
	grep -q '^Subject: \[PATCH 0/2\] fake: a test series$' "$OUT/0000-cover-letter.patch"
result $? "post: the Signed-off-by: after the Fixes: tag, the note below '---', the cover letter's shortlog and subject"

grep -q "^  $OUT/0001-fake-add-a.patch\$" "$WORK/post.log" &&
	grep -q "^  git send-email --to=linux-nvme@lists.infradead.org $OUT/\*.patch\$" "$WORK/post.log"
result $? "post: prints the files and the git send-email command" "$WORK/post.log"

# git am of the posted patches: the commits are the poster's.
AM2=$WORK/am2
git clone -q -b base "$TREE" "$AM2" && git -C "$AM2" checkout -q -b main &&
	as "committer" committer@invalid git -C "$AM2" am -q "$OUT"/000[12]-*.patch >"$WORK/am2.log" 2>&1 &&
	[ "$(git -C "$AM2" log --format='%an <%ae>' base..main | sort -u)" = "$ADA" ]
result $? "post: git am of the posting authors the commits as $ADA" "$WORK/am2.log"

# REROLL: the version of the posting is the repository's.
! REROLL=2 sfn post_series "$TREE" "$P" "$WORK/post-v2" "$WORK/ada.conf" >"$WORK/post-v2.log" 2>&1 &&
	grep -q "^error: post: REROLL=2, but .* is version 1; run 'make series BASE=7.3 REROLL=2'" "$WORK/post-v2.log" &&
	[ ! -e "$WORK/post-v2" ]
result $? "post refuses REROLL=2 when the patches are version 1, and writes nothing (negative)" "$WORK/post-v2.log"

# Exported as v2 (make series REROLL=2), posted as v2, with or without
# REROLL, the files named as format-patch -v names them.
P2=$WORK/patches-v2
rc=0
REROLL=2 sfn export_patches "$TREE" "$P2" >"$WORK/post-v2.log" 2>&1 || rc=1
for r in "" 2; do
	rm -rf "$WORK/post-v2"
	REROLL=$r sfn post_series "$TREE" "$P2" "$WORK/post-v2" "$WORK/ada.conf" >>"$WORK/post-v2.log" 2>&1 &&
		[ "$(cd "$WORK/post-v2" && echo *)" = "v2-0000-cover-letter.patch v2-0001-fake-add-a.patch v2-0002-fake-give-a-a-value.patch" ] &&
		grep -q '^Subject: \[PATCH v2 2/2\] fake: give a a value$' "$WORK/post-v2/v2-0002-fake-give-a-a-value.patch" ||
		rc=1
done
[ "$(cd "$P2" && echo *)" = "0000-cover-letter.patch 0001-fake-add-a.patch 0002-fake-give-a-a-value.patch series" ] &&
	grep -q '^Subject: \[PATCH v2 0/2\] fake: a test series$' "$P2/0000-cover-letter.patch" || rc=1
result $rc "export REROLL=2 keeps the names and says [PATCH v2]; post then posts v2-*.patch, with or without REROLL=2" "$WORK/post-v2.log"

# A name beyond ASCII, and a single one: git encodes the From: header, and
# git mailinfo reads the name back.
conf "$WORK/zoe.conf" "Zoë" zoe@kernel.org
sfn post_series "$TREE" "$P" "$WORK/post-zoe" "$WORK/zoe.conf" >"$WORK/post-zoe.log" 2>&1 &&
	git -C "$TREE" mailinfo /dev/null /dev/null <"$WORK/post-zoe/0001-fake-add-a.patch" >"$WORK/zoe.info" &&
	grep -qx 'Author: Zoë' "$WORK/zoe.info" && grep -qx 'Email: zoe@kernel.org' "$WORK/zoe.info" &&
	[ "$(grep -i '^signed-off-by:' "$WORK/post-zoe/0001-fake-add-a.patch")" = "Signed-off-by: Zoë <zoe@kernel.org>" ]
result $? "post: a one-word, non-ASCII name is accepted, its From: encoded as git does" "$WORK/post-zoe.log"

# No scratch directory is left behind.
[ -z "$(ls -A "$TMPDIR")" ]
result $? "series.sh leaves no scratch directory behind"

echo "$((n - bad)) passed, $bad failed"
[ $bad -eq 0 ]
