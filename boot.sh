#! /bin/sh
# Generates configure and the Makefile templates.  Run once after a clone.
set -e
cd "$(dirname "$0")"
autoreconf --install --force
