#!/usr/bin/env bash
# check-current.sh — checks that the committed images here are current;
# see ../check-current.sh, which both image directories share.
exec "$(dirname "$0")/../check-current.sh" tests/smp
