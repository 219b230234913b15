#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Keep the checkpatch reports that count; print them, exit 1 if any.

Two reports cannot be settled here and are checked another way:
- UNKNOWN_COMMIT_ID: checkpatch looks cited commit ids up in the git
  repository it runs in, and the kernel's history is not available on
  these machines.  A cited id passes only if scripts/known-commits lists
  it, and a Fixes: tag must quote the subject listed there.  Without a
  tree checkpatch checks no cited id, so this filter also requires every
  'commit <id> ("subject")' citation in the message to be a known id.
- GIT_COMMIT_ID on the line that stable-kernel-rules.rst prescribes for a
  backport ("[ Upstream commit <40 hex> ]" or "commit <40 hex> upstream."),
  whose form checkpatch does not know.  Any other GIT_COMMIT_ID counts.
Also FILE_PATH_CHANGES (new files: "does MAINTAINERS need updating?"),
which checkpatch reports once per patch, naming no file: it is skipped
only when every file the patch adds, deletes or renames lies under
drivers/nvme/host/, Documentation/nvme/ (NVM EXPRESS DRIVER, in 6.12) or
tools/testing/selftests/ (KERNEL SELFTEST FRAMEWORK), which existing
entries cover; otherwise it counts, with the files named.

usage: checkpatch-filter.py CHECKPATCH_LOG PATCH KNOWN_COMMITS
"""
import re
import sys

COVERED = ('drivers/nvme/host/', 'Documentation/nvme/',
           'tools/testing/selftests/')
STABLE = re.compile(r'^(\[ Upstream commit [0-9a-f]{40} \]|'
                    r'commit [0-9a-f]{40} upstream\.)$')


def path_changes(patch):
    """The files PATCH adds, deletes or renames."""
    out, cur = [], None
    for line in open(patch, errors='replace'):
        m = re.match(r'^diff --git a/(\S+) b/(\S+)$', line)
        if m:
            cur = m.group(2)
        elif re.match(r'^(new|deleted) file mode ', line) and cur:
            out.append(cur)
        m = re.match(r'^rename (?:from|to) (\S+)$', line)
        if m:
            out.append(m.group(1))
    return out


def uncovered_paths(patch):
    """The files PATCH adds, deletes or renames outside COVERED."""
    return [p for p in path_changes(patch) if not p.startswith(COVERED)]


def main():
    log, patch, known_file = sys.argv[1:4]
    known = {}
    for line in open(known_file):
        if line.strip() and not line.startswith('#'):
            cid, subj = line.rstrip('\n').split(' ', 1)
            known[cid] = subj
    bad = []
    blocks = open(log, errors='replace').read().split('\n\n')
    for b in blocks:
        m = re.search(r'^(ERROR|WARNING|CHECK):(\w+):', b, re.M)
        if not m:
            continue
        kind = m.group(2)
        ctx = [l[1:] for l in b.split('\n') if l.startswith('+')] or \
              [l for l in b.split('\n')[2:] if l]
        if kind == 'FILE_PATH_CHANGES':
            outside = uncovered_paths(patch)
            if outside:
                bad.append(b.strip() + '\n(not covered by an existing '
                           'MAINTAINERS entry: %s)' % ', '.join(outside))
            continue
        if kind == 'GIT_COMMIT_ID' and ctx and STABLE.match(ctx[-1].strip()):
            cid = re.search(r'[0-9a-f]{40}', ctx[-1]).group(0)
            if cid in known:
                continue
        if kind == 'UNKNOWN_COMMIT_ID':
            # (an abbreviated id of a commit listed in full, too)
            cid = re.search(r"id '([0-9a-f]+)'", b).group(1)
            if any(k.startswith(cid) or cid.startswith(k) for k in known):
                continue
        bad.append(b.strip())
    # Fixes: tags quote the subject of a known commit.  Without a git
    # tree checkpatch verifies no cited id, so every id the message cites
    # in the form 'commit <id> ("subject")' must be a known one too.
    for line in open(patch, errors='replace'):
        m = re.match(r'^Fixes: ([0-9a-f]{12,40}) \("(.*)"\)$', line.rstrip())
        if m and known.get(m.group(1)) != m.group(2):
            bad.append('Fixes: %s ("%s"): not in scripts/known-commits '
                       'with that subject' % (m.group(1), m.group(2)))
        elif line.startswith('---'):
            break
        elif not m:
            for cid in re.findall(r'(?:^|\s)([0-9a-f]{12,40}) \("', line):
                if not any(k.startswith(cid) or cid.startswith(k)
                           for k in known):
                    bad.append('commit %s: cited, but not in '
                               'scripts/known-commits' % cid)
    for b in bad:
        print(b + '\n')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
