#!/usr/bin/env bash
# The programs the tests drive besides Node: GnuPG (interoperability), Chromium (the console's
# browser tests, through playwright-core; no browser is downloaded) and Dovecot (the team mailbox
# read over IMAP; each test starts its own server). Installed with apt-get when
# missing and this is a Debian or Ubuntu machine run as root; otherwise says what to install.
#   system-tools.sh                  all three (the tests)
#   system-tools.sh dovecot-imapd    only the packages named (the demonstration needs Dovecot alone)
set -euo pipefail

wanted=("$@")
[ ${#wanted[@]} -eq 0 ] && wanted=(gnupg chromium dovecot-imapd)
wants() { [[ " ${wanted[*]} " == *" $1 "* ]]; }

missing=()
if wants gnupg; then command -v gpg >/dev/null 2>&1 || missing+=(gnupg); fi
if wants chromium; then
  command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing+=(chromium)
fi
if wants dovecot-imapd; then [ -x /usr/sbin/dovecot ] || missing+=(dovecot-imapd); fi
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "tlp-broker: ${missing[*]} missing; install them (Debian: sudo apt-get install ${missing[*]})." >&2
  exit 1
fi
