#!/usr/bin/env python3
"""Trunk post-build hook: pin the page's inline scripts in its CSP by hash.

Trunk writes one inline module script into index.html that names the hashed
file names of the build, so its text changes with every build and no fixed
hash in index.html can allow it. This hook runs after Trunk has written the
page (TRUNK_STAGING_DIR), hashes every inline <script> exactly as the browser
will (SHA-256 of its text), and replaces 'unsafe-inline' in the
Content-Security-Policy's script-src with those hashes. A page built this way
runs no inline script but Trunk's own loader.
"""
import base64
import hashlib
import os
import re
import sys

staging = os.environ.get("TRUNK_STAGING_DIR")
if not staging:
    sys.exit("csp-hash: TRUNK_STAGING_DIR is not set (run me as a Trunk hook)")
path = os.path.join(staging, "index.html")
with open(path, encoding="utf-8", newline="") as f:
    page = f.read()

# Inline scripts only: a <script> with a src attribute has no text to hash.
inline = [
    m.group(2)
    for m in re.finditer(r"<script(\s[^>]*)?>(.*?)</script>", page, re.S)
    if not re.search(r"\ssrc\s*=", m.group(1) or "")
]
hashes = " ".join(
    "'sha256-%s'" % base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode()
    for s in inline
)

# Release builds minify the page first, which may drop the quotes that an
# attribute value without spaces does not need and reorder the attributes:
# find the meta tag, then its content.
meta = re.search(r'<meta\s[^>]*\bhttp-equiv="?Content-Security-Policy\b[^>]*>', page, re.I)
csp = meta and re.compile(r'(content=")([^"]*)(")').search(page, meta.start(), meta.end())
if not csp:
    sys.exit("csp-hash: index.html has no Content-Security-Policy meta")
policy = csp.group(2)
if "'unsafe-inline'" not in policy.split("script-src", 1)[-1].split(";", 1)[0]:
    sys.exit("csp-hash: script-src has no 'unsafe-inline' placeholder to replace")
head, _, rest = policy.partition("script-src")
directive, sep, tail = rest.partition(";")
directive = directive.replace("'unsafe-inline'", hashes or "'none'")
new_policy = head + "script-src" + directive + sep + tail
page = page[: csp.start(2)] + new_policy + page[csp.end(2):]

with open(path, "w", encoding="utf-8", newline="") as f:
    f.write(page)
print(f"csp-hash: {len(inline)} inline script(s) pinned by SHA-256 in script-src")
