// Helpers shared by the lib/Load unit tests.
#pragma once

#include <functional>
#include <string>

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include "../RequireRoot.h"
#include "bfc/Load/Error.h"
#include "bfc/Load/Session.h"

namespace bfc::load::test {

/// The message of the LoadError `f` throws, or "<no error>".
inline std::string errorOf(const std::function<void()> &f) {
  try {
    f();
  } catch (const LoadError &e) {
    return e.what();
  }
  return "<no error>";
}

/// A test object built by test/e2e/CMakeLists.txt (bfc_test_object).
inline std::string testObject(const std::string &name) {
  return std::string(BFC_BINARY_DIR) + "/test/e2e/objects/" + name + ".bpf.o";
}

/// A private bpffs for the test (skipped without root).
class Bpffs : public ::testing::Test {
protected:
  void SetUp() override {
    BFC_REQUIRE_ROOT();
    char tmpl[] = "/tmp/bfc-unit-bpffs.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    if (mount("bpf", dir_.c_str(), "bpf", 0, nullptr) != 0) {
      rmdir(dir_.c_str());
      dir_.clear();
      GTEST_SKIP() << "cannot mount a bpffs";
    }
  }
  void TearDown() override {
    if (dir_.empty())
      return;
    umount2(dir_.c_str(), MNT_DETACH);
    rmdir(dir_.c_str());
  }

  SessionOptions options() const {
    SessionOptions o;
    o.bpffsPath = dir_;
    return o;
  }

  std::string dir_;
};

} // namespace bfc::load::test
