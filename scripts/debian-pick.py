#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Pick the Debian kernel packages of one line from an archive listing.

The archive moves: a new version's source and headers can be published
before its signed image, and older complete sets stay for a while.  This
picks the newest version of a line for which every part the project needs
exists, and says why it passed over newer ones.

  debian-pick.py pick LINE NEED LISTING...
      LINE: 6.1, 6.12 or 7 (the newest 7.x the listing has);
      NEED: comma-separated parts: source, headers (linux-headers-ABI
      with the -common and linux-kbuild it depends on), image (a bootable
      kernel: linux-image-ABI or linux-image-ABI-unsigned; from 6.19 on,
      linux-binary-ABI or linux-binary-unsigned-ABI with linux-modules-ABI).
  debian-pick.py image ABI VERSION LISTING...
      the image packages of one ABI at one Debian version.
  debian-pick.py headers ABI LISTING...
      the newest Debian version of linux-headers-ABI, with its parts.
  debian-pick.py has PACKAGE VERSION LISTING...
      exit status 0 when the listing has that version of the package.

LISTING: files in the Packages format (apt's lists, decompressed).
Prints shell assignments (DEB_*) on stdout; notes on stderr.  Exit status
1, with a message naming what is missing, when no version is complete.
"""

import re
import shlex
import sys


def _order(c):
    if c == "~":
        return -1
    if c.isalpha():
        return ord(c)
    return ord(c) + 256


def _cmp_part(a, b):
    """Compare upstream_version or debian_revision strings, as dpkg does."""
    i = j = 0
    while i < len(a) or j < len(b):
        diff = 0
        while (i < len(a) and not a[i].isdigit()) or (j < len(b) and not b[j].isdigit()):
            ac = _order(a[i]) if i < len(a) and not a[i].isdigit() else 0
            bc = _order(b[j]) if j < len(b) and not b[j].isdigit() else 0
            if ac != bc:
                return ac - bc
            i += 1
            j += 1
        na = re.match(r"\d*", a[i:]).group()
        nb = re.match(r"\d*", b[j:]).group()
        i += len(na)
        j += len(nb)
        diff = int(na or 0) - int(nb or 0)
        if diff:
            return diff
    return 0


def vercmp(a, b):
    """Debian version comparison: <0, 0 or >0."""
    def split(v):
        epoch, _, rest = v.rpartition(":") if ":" in v else ("0", "", v)
        up, _, rev = rest.rpartition("-") if "-" in rest else (rest, "", "0")
        return int(epoch or 0), up, rev
    ea, ua, ra = split(a)
    eb, ub, rb = split(b)
    if ea != eb:
        return ea - eb
    return _cmp_part(ua, ub) or _cmp_part(ra, rb)


class Listing:
    """Package name -> {version: Depends} from Packages files."""

    def __init__(self, paths):
        self.pkgs = {}
        for path in paths:
            with open(path, encoding="utf-8", errors="replace") as f:
                self._read(f.read())

    def _read(self, text):
        for stanza in text.split("\n\n"):
            fields = {}
            for line in stanza.splitlines():
                m = re.match(r"^([A-Za-z-]+):\s*(.*)$", line)
                if m:
                    fields[m.group(1)] = m.group(2)
            if "Package" in fields and "Version" in fields:
                self.pkgs.setdefault(fields["Package"], {})[fields["Version"]] = \
                    fields.get("Depends", "")

    def has(self, name, version):
        return version in self.pkgs.get(name, {})

    def versions(self, name):
        return sorted(self.pkgs.get(name, {}), key=_key, reverse=True)

    def depends(self, name, version):
        deps = self.pkgs.get(name, {}).get(version, "")
        return [re.sub(r"\s*\(.*", "", d.split("|")[0]).strip()
                for d in deps.split(",") if d.strip()]


class _key:
    def __init__(self, v):
        self.v = v

    def __lt__(self, other):
        return vercmp(self.v, other.v) < 0


LINES = {
    "6.1": (r"6\.1\.0-\d+-amd64", "6.1.0-NN-amd64"),
    "6.12": (r"6\.12\.\d+\+deb\d+-amd64", "6.12.N+debNN-amd64"),
}


def line_spec(listing, line):
    """(source package, ABI regex, ABI example) of a line."""
    if line in LINES:
        return ("linux-source-" + line,) + LINES[line]
    if line == "7":
        srcs = [p for p in listing.pkgs if re.fullmatch(r"linux-source-7\.\d+", p)]
        if not srcs:
            return None, None, "7.N"
        src = max(srcs, key=lambda p: int(p.rsplit(".", 1)[1]))
        minor = re.escape(src[len("linux-source-"):])
        return src, minor + r"\.\d+\+[a-z0-9]+-amd64", minor + ".N+debNN-amd64"
    raise SystemExit("debian-pick.py: LINE must be 6.1, 6.12 or 7, not " + line)


def image_parts(listing, abi, version):
    """(packages, None) or (None, what is missing) for a bootable kernel."""
    image = "linux-image-" + abi
    split = listing.has("linux-modules-" + abi, version) or \
        "linux-binary-" + abi in listing.depends(image, version)
    if split:
        # 6.19 and later: linux-image-ABI is a meta package; the vmlinuz
        # and the modules come in packages of their own.
        binary = [b for b in ("linux-binary-" + abi, "linux-binary-unsigned-" + abi)
                  if listing.has(b, version)]
        missing = [] if binary else ["linux-binary-%s or linux-binary-unsigned-%s" % (abi, abi)]
        if not listing.has("linux-modules-" + abi, version):
            missing.append("linux-modules-" + abi)
        if missing:
            return None, " and no ".join(missing)
        return [binary[0], "linux-modules-" + abi], None
    for i in (image, image + "-unsigned"):
        if listing.has(i, version):
            return [i], None
    return None, "%s or %s-unsigned" % (image, image)


def header_parts(listing, abi, version):
    hdr = "linux-headers-" + abi
    if not listing.has(hdr, version):
        return None, hdr
    parts = [hdr]
    for d in listing.depends(hdr, version):
        if re.fullmatch(r"linux-headers-.*-common|linux-kbuild-.*", d):
            if not listing.has(d, version):
                return None, d
            parts.append(d)
    return parts, None


def emit(**kv):
    for k, v in kv.items():
        if isinstance(v, list):
            v = " ".join(v)
        print("DEB_%s=%s" % (k.upper(), shlex.quote(v or "")))


def pick(line, need, listing):
    src, abi_re, abi_eg = line_spec(listing, line)
    if not src or not listing.versions(src):
        sys.exit("no %s in the archive listing" % (src or "linux-source-7.N"))
    newest = listing.versions(src)[0]
    passed = []
    for ver in listing.versions(src):
        abis = sorted(a[len("linux-headers-"):] for a, vs in listing.pkgs.items()
                      if a.startswith("linux-headers-") and ver in vs and
                      re.fullmatch(abi_re, a[len("linux-headers-"):]))
        if not abis and ("headers" in need or "image" in need):
            passed.append("%s: no linux-headers-%s of that version" % (ver, abi_eg))
            continue
        abi = abis[-1] if abis else ""
        missing, headers, image = [], [], []
        if "headers" in need:
            headers, why = header_parts(listing, abi, ver)
            if why:
                missing.append(why)
        if "image" in need:
            image, why = image_parts(listing, abi, ver)
            if why:
                missing.append(why)
        if missing:
            passed.append("%s: no %s" % (ver, " and no ".join(missing)))
            continue
        emit(source=src, version=ver, abi=abi, headers=headers or [],
             image=image or [], newest=newest,
             fallback="; ".join(passed))
        if passed:
            print("note: %s %s is the newest complete set; passed over %s" %
                  (src, ver, "; ".join(passed)), file=sys.stderr)
        return
    sys.exit("no version of %s in the archive has every part needed (%s): %s" %
             (src, ",".join(need), "; ".join(passed)))


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    cmd = argv[1]
    if cmd == "pick" and len(argv) >= 5:
        pick(argv[2], argv[3].split(","), Listing(argv[4:]))
    elif cmd == "image" and len(argv) >= 5:
        listing = Listing(argv[4:])
        parts, why = image_parts(listing, argv[2], argv[3])
        if why:
            sys.exit("the archive has no bootable kernel for %s %s: no %s" %
                     (argv[2], argv[3], why))
        emit(image=parts)
    elif cmd == "headers" and len(argv) >= 4:
        listing = Listing(argv[3:])
        vers = listing.versions("linux-headers-" + argv[2])
        if not vers:
            sys.exit("the archive has no linux-headers-" + argv[2])
        parts, why = header_parts(listing, argv[2], vers[0])
        if why:
            sys.exit("the archive has linux-headers-%s %s, but no %s of that version" %
                     (argv[2], vers[0], why))
        emit(version=vers[0], headers=parts)
    elif cmd == "has" and len(argv) >= 5:
        sys.exit(0 if Listing(argv[4:]).has(argv[2], argv[3]) else 1)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
