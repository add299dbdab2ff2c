#!/usr/bin/env bash
# The programs the tests drive besides Node: GnuPG (interoperability), Chromium (the console's
# browser tests, through playwright-core; no browser is downloaded) and Dovecot (the team mailbox
# read over IMAP; each test starts its own server). Installed with apt-get when
# missing and this is a Debian or Ubuntu machine run as root; otherwise says what to install.
set -euo pipefail

missing=()
command -v gpg >/dev/null 2>&1 || missing+=(gnupg)
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing+=(chromium)
[ -x /usr/sbin/dovecot ] || missing+=(dovecot-imapd)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "tlp-broker: the tests need ${missing[*]}; install them (Debian: sudo apt-get install ${missing[*]})." >&2
  exit 1
fi
