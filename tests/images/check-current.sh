#!/usr/bin/env bash
# check-current.sh — checks that the built-in images (boot/images, whose
# QEMU references are here) are current; see ../check-current.sh, which
# both image directories share.
exec "$(dirname "$0")/../check-current.sh" boot/images
