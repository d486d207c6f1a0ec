#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""maildir_dump.py — what an SMTP sink received, decoded, for the e-mail tests.

Usage: maildir_dump.py MAILDIR

MAILDIR is where `python3 -m aiosmtpd -c aiosmtpd.handlers.Mailbox MAILDIR`
stores every message it accepts. Prints a JSON array, oldest first, one
object per message:

  {"file": "new/...", "mtime": 1764300000.1,
   "envelope_from": "...", "envelope_to": ["..."],   (aiosmtpd's X-MailFrom / X-RcptTo)
   "from": "...", "to": "...", "message_id": "...",
   "subject": "decoded text",           (RFC 2047 decoded by Python's email package)
   "subject_raw": "=?UTF-8?B?...?= =?UTF-8?B?...?=",  (as stored, unfolded)
   "subject_lines": ["Subject: ...", " =?UTF-8?B?...?="],  (folded physical lines)
   "content_type": "text/plain", "charset": "utf-8", "transfer_encoding": "base64",
   "text": "decoded body of the first text/plain part",
   "parts": 1, "defects": ["..."]}

Python's email package decodes here so that the test checks the message
the way a mail client would read it. Run with Debian's /usr/bin/python3.
"""

import email
import email.policy
import json
import os
import sys


def header_lines(raw, name):
    """The physical lines of header NAME (first occurrence), folded as sent."""
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    lines = head.replace(b"\r\n", b"\n").split(b"\n")
    out = []
    for line in lines:
        if out and line[:1] in (b" ", b"\t"):
            out.append(line.decode("ascii", "replace"))
            continue
        if out:
            break
        if line.lower().startswith(name.lower().encode() + b":"):
            out.append(line.decode("ascii", "replace"))
    return out


def describe(path, rel):
    with open(path, "rb") as f:
        raw = f.read()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    compat = email.message_from_bytes(raw, policy=email.policy.compat32)
    text_part = None
    parts = 0
    defects = [repr(d) for d in msg.defects]
    for part in msg.walk():
        defects.extend(repr(d) for d in part.defects)
        if part.is_multipart():
            continue
        parts += 1
        if text_part is None and part.get_content_type() == "text/plain":
            text_part = part
    text = None
    charset = None
    cte = None
    ctype = None
    if text_part is not None:
        text = text_part.get_content()
        charset = text_part.get_content_charset()
        cte = text_part.get("Content-Transfer-Encoding")
        ctype = text_part.get_content_type()
    subject_lines = header_lines(raw, "Subject")
    return {
        "file": rel,
        "mtime": os.stat(path).st_mtime,
        "envelope_from": str(msg.get("X-MailFrom", "")),
        "envelope_to": [s.strip() for s in str(msg.get("X-RcptTo", "")).split(",") if s.strip()],
        "from": str(msg.get("From", "")),
        "to": str(msg.get("To", "")),
        "message_id": str(msg.get("Message-ID", "")),
        "subject": str(msg.get("Subject", "")),
        "subject_raw": " ".join((l[len("Subject:"):] if i == 0 else l).strip()
                                for i, l in enumerate(subject_lines)),
        "subject_raw_compat": str(compat.get("Subject", "")),
        "subject_lines": subject_lines,
        "content_type": ctype,
        "charset": charset,
        "transfer_encoding": cte,
        "text": text,
        "parts": parts,
        "defects": defects,
    }


def main():
    if len(sys.argv) != 2:
        print("usage: maildir_dump.py MAILDIR", file=sys.stderr)
        return 2
    root = sys.argv[1]
    found = []
    for sub in ("new", "cur"):
        d = os.path.join(root, sub)
        if not os.path.isdir(d):
            continue
        for name in os.listdir(d):
            path = os.path.join(d, name)
            if os.path.isfile(path):
                found.append((os.stat(path).st_mtime, sub + "/" + name, path))
    found.sort()
    out = [describe(path, rel) for _, rel, path in found]
    json.dump(out, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
