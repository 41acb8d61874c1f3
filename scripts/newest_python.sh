#!/usr/bin/env bash
# Prints the path of the newest supported Python other than 3.11 that runs on this machine
# (3.13, else 3.12): on the PATH, or installed by pyenv without being selected. Prints nothing
# when there is none. Used by .ci/run to run the suite on it too.
set -uo pipefail
for version in 3.13 3.12; do
  if "python$version" -c "" >/dev/null 2>&1; then
    command -v "python$version"
    exit 0
  fi
  for found in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$version".*/bin/"python$version"; do
    if [ -x "$found" ] && "$found" -c "" >/dev/null 2>&1; then
      echo "$found"
      exit 0
    fi
  done
done
