// Tests that load BPF programs or mount a bpffs need root and skip without
// it. They also record the XML property requires=root, so that
// scripts/root-only-summary.py can count how many of them ran.
#pragma once

#include <unistd.h>

#include <gtest/gtest.h>

#define BFC_REQUIRE_ROOT()                                                     \
  do {                                                                         \
    ::testing::Test::RecordProperty("requires", "root");                       \
    if (geteuid() != 0)                                                        \
      GTEST_SKIP() << "needs root (bpf(), bpffs)";                             \
  } while (0)
