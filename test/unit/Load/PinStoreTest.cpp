// The pinned state on a private bpffs: the pin root checks, the lock, the
// chain transaction and the recovery of interrupted changes, records, and
// whole Session commands on a real (unattached) chain. Needs root.
#include <gtest/gtest.h>

#include <functional>

#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "LoadTestSupport.h"
#include "bfc/Load/Bpf.h"
#include "bfc/Load/Error.h"
#include "bfc/Load/PinStore.h"
#include "bfc/Load/Record.h"
#include "bfc/Load/Session.h"

using namespace bfc;
using namespace bfc::load;
using bfc::load::test::Bpffs;
using bfc::load::test::errorOf;
using bfc::load::test::testObject;

namespace {

bool exists(const std::string &path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

/// A trivial program (r0 = 0; exit) to pin.
Fd trivialProgram() {
  const bpf_insn insns[] = {
      {BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0},
      {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
  };
  int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "bfc_test", "GPL", insns,
                         2, nullptr);
  if (fd < 0)
    throw LoadError("cannot load a trivial program");
  return Fd(fd);
}

} // namespace

TEST(PinRootCheck, RefusesWhatIsNotABpffs) {
  EXPECT_NE(errorOf([] {
              PinRoot root("/nonexistent-bpffs");
            }).find("BPF filesystem /nonexistent-bpffs does not exist"),
            std::string::npos);
  EXPECT_NE(errorOf([] {
              PinRoot root("/proc");
            }).find("/proc is not a BPF filesystem"),
            std::string::npos);
}

TEST_F(Bpffs, CreatesThePinRoot) {
  PinRoot root(dir_ + "/");
  EXPECT_EQ(root.path(), dir_ + "/bfc");
  EXPECT_TRUE(exists(dir_ + "/bfc"));
  EXPECT_TRUE(root.chainNames().empty());
  EXPECT_EQ(root.stagingDir("c"), dir_ + "/bfc/@tmp@c");
}

// What another user can do on a bpffs mounted with mode 1777: make `bfc`
// first, make it writable, or replace it with a symbolic link.
TEST_F(Bpffs, RefusesAPinRootItDoesNotOwnAlone) {
  const std::string bfc = dir_ + "/bfc";
  ASSERT_EQ(mkdir(bfc.c_str(), 0700), 0);
  ASSERT_EQ(chown(bfc.c_str(), 65534, 65534), 0);
  std::string message = errorOf([&] { PinRoot root(dir_); });
  EXPECT_NE(message.find(bfc + " belongs to uid 65534"), std::string::npos)
      << message;
  ASSERT_EQ(chown(bfc.c_str(), 0, 0), 0);
  ASSERT_EQ(chmod(bfc.c_str(), 01777), 0);
  message = errorOf([&] { PinRoot root(dir_); });
  EXPECT_NE(message.find("is writable by other users (mode 1777)"),
            std::string::npos)
      << message;
  ASSERT_EQ(chmod(bfc.c_str(), 0700), 0);
  EXPECT_NO_THROW(PinRoot root(dir_));
  ASSERT_EQ(rmdir(bfc.c_str()), 0);
  const std::string elsewhere = dir_ + "/elsewhere";
  ASSERT_EQ(mkdir(elsewhere.c_str(), 0700), 0);
  ASSERT_EQ(symlink(elsewhere.c_str(), bfc.c_str()), 0);
  message = errorOf([&] { PinRoot root(dir_); });
  EXPECT_NE(message.find("is not a directory (a symbolic link"),
            std::string::npos)
      << message;
}

TEST_F(Bpffs, RefusesPinsOfTheWrongKind) {
  PinRoot root(dir_);
  // The owner map: a directory, then a map of another value size.
  const std::string owner = root.path() + "/@owner";
  ASSERT_EQ(mkdir(owner.c_str(), 0700), 0);
  std::string message = errorOf([&] { RootLock::acquire(root, {}); });
  EXPECT_NE(message.find("is not bfload's pinned owner map"), std::string::npos)
      << message;
  ASSERT_EQ(rmdir(owner.c_str()), 0);
  Fd wide = bpf::createArrayMap("bfc_owner", 8, 1);
  bpf::pin(wide.get(), owner);
  message = errorOf([&] { RootLock::acquire(root, {}); });
  EXPECT_NE(message.find("is not bfload's owner map"), std::string::npos)
      << message;
  ASSERT_EQ(unlink(owner.c_str()), 0);
  // A link pin that is a symbolic link to another object.
  const std::string chain = root.chainDir("c");
  ASSERT_EQ(mkdir(chain.c_str(), 0700), 0);
  Fd prog = trivialProgram();
  bpf::pin(prog.get(), chain + "/prog");
  ASSERT_EQ(symlink((chain + "/prog").c_str(), (chain + "/link").c_str()), 0);
  message = errorOf([&] { removeChain(root, "c"); });
  EXPECT_NE(message.find("is not a pinned link (a symbolic link"),
            std::string::npos)
      << message;
}

TEST_F(Bpffs, LockContentionNamesTheHolder) {
  PinRoot root(dir_);
  {
    RootLock held = RootLock::acquire(root, {});
    std::string message = errorOf([&] { RootLock::acquire(root, {}); });
    EXPECT_NE(message.find(fmt::format("{} is locked by another bfload (pid "
                                       "{})",
                                       root.path(), getpid())),
              std::string::npos)
        << message;
    // A recorded pid that runs nowhere here (a child that has exited).
    pid_t gone = fork();
    if (gone == 0)
      _exit(0);
    ASSERT_GT(gone, 0);
    ASSERT_EQ(waitpid(gone, nullptr, 0), gone);
    Fd owner = bpf::openPinned(root.path() + "/@owner");
    uint32_t key = 0, recorded = static_cast<uint32_t>(gone);
    bpf::updateElem(owner.get(), &key, &recorded);
    message = errorOf([&] { RootLock::acquire(root, {}); });
    EXPECT_NE(message.find(fmt::format("recorded pid {}, which is not running "
                                       "in this pid namespace",
                                       gone)),
              std::string::npos)
        << message;
    WaitPolicy wait;
    wait.wait = true;
    wait.timeoutSecs = 0.2;
    EXPECT_NE(errorOf([&] {
                RootLock::acquire(root, wait);
              }).find("gave up after waiting 0.2 s"),
              std::string::npos);
  }
  EXPECT_NO_THROW(RootLock::acquire(root, {}));
}

TEST_F(Bpffs, UncommittedTransactionLeavesNothing) {
  PinRoot root(dir_);
  Fd prog = trivialProgram();
  {
    ChainTransaction txn(root, "c");
    txn.pin(kProgPin, prog.get());
    EXPECT_TRUE(exists(root.stagingDir("c") + "/prog"));
  }
  EXPECT_FALSE(exists(root.stagingDir("c")));
  EXPECT_FALSE(root.chainExists("c"));
}

TEST_F(Bpffs, CommitReplacesTheChainDirectory) {
  PinRoot root(dir_);
  Fd prog = trivialProgram();
  Fd marker = bpf::createArrayMap("old", 4, 1);
  {
    ChainTransaction txn(root, "c");
    txn.pin(kProgPin, prog.get());
    txn.pin("old_only", marker.get());
    txn.commit();
  }
  EXPECT_TRUE(exists(root.chainDir("c") + "/old_only"));
  {
    ChainTransaction txn(root, "c");
    txn.pin(kProgPin, prog.get());
    txn.commit();
  }
  EXPECT_TRUE(exists(root.chainDir("c") + "/prog"));
  EXPECT_FALSE(exists(root.chainDir("c") + "/old_only"));
  EXPECT_EQ(listDir(root.path()), std::vector<std::string>{"c"});
}

TEST_F(Bpffs, RecoveryRollsBackOrForward) {
  PinRoot root(dir_);
  Fd prog = trivialProgram();
  Fd map = bpf::createArrayMap("m", 4, 1);
  auto makeDir = [&](const std::string &path, const std::string &pin) {
    ASSERT_EQ(mkdir(path.c_str(), 0700), 0) << path;
    bpf::pin(pin == kProgPin ? prog.get() : map.get(), path + "/" + pin);
  };
  // committed chain 'a' with an interrupted change staged (not committed)
  makeDir(root.chainDir("a"), "a_marker");
  makeDir(root.stagingDir("a"), kProgPin);
  // 'b': a committed change, killed before the rename
  makeDir(root.chainDir("b"), "b_old");
  makeDir(root.readyDir("b"), kProgPin);
  // 'c': new chain committed, old one already moved away
  makeDir(root.retiredDir("c"), "c_old");
  makeDir(root.readyDir("c"), kProgPin);
  // 'd': replaced, the old directory not yet removed
  makeDir(root.chainDir("d"), kProgPin);
  makeDir(root.retiredDir("d"), "d_old");

  recoverInterrupted(root);
  EXPECT_EQ(listDir(root.path()),
            (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_TRUE(exists(root.chainDir("a") + "/a_marker"));
  EXPECT_TRUE(exists(root.chainDir("b") + "/prog"));
  EXPECT_FALSE(exists(root.chainDir("b") + "/b_old"));
  EXPECT_TRUE(exists(root.chainDir("c") + "/prog"));
  EXPECT_TRUE(exists(root.chainDir("d") + "/prog"));
}

TEST_F(Bpffs, RecordsSurviveInFrozenMaps) {
  ChainRecord record;
  record.metadata.version = 1;
  record.metadata.bfcVersion = "t";
  object::ChainInfo chain;
  chain.name = "big";
  chain.program = "big";
  chain.counters = {"big_counters", 2002, 2000, 2001};
  for (uint32_t i = 0; i < 2000; ++i) {
    object::RuleInfo rule;
    rule.index = i;
    rule.text = fmt::format("rule ip4.saddr eq 10.0.{}.{} counter DROP",
                            i / 256, i % 256);
    chain.rules.push_back(rule);
  }
  record.metadata.chains.push_back(chain);
  record.hostSlotValues = {1};
  record.objectName = "big.bpf.o";
  record.loadedAt = utcNow();
  Fd map = createRecordMap(record);
  EXPECT_GT(bpf::mapInfo(map.get()).maxEntries, 10u); // many 4 KiB chunks
  ChainRecord back = readRecordMap(map.get());
  EXPECT_EQ(serializeRecord(back), serializeRecord(record));
  std::vector<uint8_t> value(4096, 0);
  uint32_t key = 0;
  EXPECT_THROW(bpf::updateElem(map.get(), &key, value.data()), LoadError)
      << "a record map must be frozen";
}

TEST_F(Bpffs, RefusesPinnedMapsOfAnotherShape) {
  // The kernel copies whole keys and values into bfload's buffers: a map
  // planted in place of a chain's (larger keys or values, another type)
  // must be refused by name, never read.
  object::ObjectFile object = object::ObjectFile::fromFile(testObject("xdp"));
  const object::ChainInfo &info = selectChain(object, std::nullopt);
  {
    Session session(options());
    session.loadChain(object, info);
  }
  const std::string dir = PinRoot(dir_).chainDir("xdp_filter");
  struct Planted {
    std::string map;
    bpf_map_type type;
    uint32_t keySize, valueSize;
    std::function<void(Session &)> use;
    std::string expected;
  };
  // Counters of another shape are not read: a warning, and zeros (the
  // chain stays usable, `chain update` replaces the map).
  auto countersRead = [](Session &s) {
    testing::internal::CaptureStderr();
    ChainState state = s.getChain("xdp_filter", false);
    std::string warning = testing::internal::GetCapturedStderr();
    for (const CounterValue &counter : state.counters)
      EXPECT_EQ(counter.packets, 0u);
    throw LoadError(warning);
  };
  const Planted cases[] = {
      {info.counters.map, BPF_MAP_TYPE_PERCPU_ARRAY, 4, 64, countersRead,
       "the counters"},
      {info.counters.map, BPF_MAP_TYPE_ARRAY, 4, 16, countersRead,
       "the counters"},
      {info.sets[0].map, BPF_MAP_TYPE_HASH, 64, 1,
       [](Session &s) { s.getChain("xdp_filter", true); },
       "the map of set 'blocked'"},
      {info.sets[0].map, BPF_MAP_TYPE_HASH, 64, 1,
       [](Session &s) {
         s.updateSet("xdp_filter", "blocked", {"192.0.2.1"}, {});
       },
       "the map of set 'blocked'"},
      {info.log->map, BPF_MAP_TYPE_HASH, 4, 4,
       [](Session &s) { s.openLogs("xdp_filter"); }, "the log ring buffer"},
  };
  for (const Planted &planted : cases) {
    SCOPED_TRACE(planted.map);
    const std::string path = dir + "/" + planted.map;
    Fd original = bpf::openPinned(path);
    LIBBPF_OPTS(bpf_map_create_opts, opts);
    int fd = bpf_map_create(planted.type, "bfc_planted", planted.keySize,
                            planted.valueSize, 16, &opts);
    ASSERT_GE(fd, 0);
    Fd plant(fd);
    ASSERT_EQ(unlink(path.c_str()), 0);
    bpf::pin(plant.get(), path);
    std::string message = errorOf([&] {
      Session session(options());
      planted.use(session);
    });
    EXPECT_NE(message.find(planted.expected + " (" + path +
                           ") is not the map the chain record describes"),
              std::string::npos)
        << message;
    ASSERT_EQ(unlink(path.c_str()), 0);
    bpf::pin(original.get(), path);
  }
  Session session(options());
  EXPECT_EQ(session.getChain("xdp_filter", true).sets.size(), 1u);
  session.flushChain("xdp_filter");
}

TEST_F(Bpffs, SessionCommandsOnAnUnattachedChain) {
  object::ObjectFile object = object::ObjectFile::fromFile(testObject("xdp"));
  const object::ChainInfo &info = selectChain(object, std::nullopt);
  {
    Session session(options());
    session.loadChain(object, info);
    EXPECT_NE(errorOf([&] {
                session.loadChain(object, info);
              }).find("chain 'xdp_filter' already exists"),
              std::string::npos);
  }
  {
    Session session(options());
    ChainState state = session.getChain("xdp_filter", true);
    EXPECT_FALSE(state.attached());
    EXPECT_EQ(state.record.hostSlotValues, std::vector<uint32_t>{1}); // lo
    ASSERT_EQ(state.counters.size(), 5u);
    EXPECT_EQ(state.counters[3].packets, 0u);
    ASSERT_EQ(state.sets.size(), 1u);
    EXPECT_EQ(state.sets[0].elements.size(), 2u);
    EXPECT_EQ(state.record.chain().sets[0].elements.size(), 0u)
        << "records do not copy set elements";

    SetUpdateResult result = session.updateSet(
        "xdp_filter", "blocked", {"192.0.2.1", "10.200.1.3"}, {"10.200.1.4"});
    EXPECT_EQ(result.added, 1u);
    EXPECT_EQ(result.removed, 1u);
    EXPECT_EQ(result.size, 2u);
    EXPECT_EQ(result.alreadyPresent, std::vector<std::string>{"10.200.1.3"});

    // A bad element or too many elements: the set does not change.
    EXPECT_THROW(
        session.updateSet("xdp_filter", "blocked", {"192.0.2.2", "bad"}, {}),
        object::ObjectError);
    std::vector<std::string> many;
    for (int i = 0; i < 15; ++i)
      many.push_back(fmt::format("198.51.100.{}", i));
    EXPECT_NE(errorOf([&] {
                session.updateSet("xdp_filter", "blocked", many, {});
              }).find("would hold 17 elements, more than its capacity of 16"),
              std::string::npos);
    state = session.getChain("xdp_filter", true);
    ASSERT_EQ(state.sets[0].elements.size(), 2u);
    EXPECT_EQ(state.sets[0].elements[0].key,
              (std::vector<uint8_t>{10, 200, 1, 3}));
    EXPECT_EQ(state.sets[0].elements[1].key,
              (std::vector<uint8_t>{192, 0, 2, 1}));
    EXPECT_NE(errorOf([&] {
                session.updateSet("xdp_filter", "blocked", {}, {});
              }).find("nothing to do"),
              std::string::npos);
  }
  {
    Session session(options());
    uint32_t before = session.getChain("xdp_filter", false).progId;
    session.updateChain(object, info);
    ChainState state = session.getChain("xdp_filter", true);
    EXPECT_NE(state.progId, before);
    EXPECT_EQ(state.sets[0].elements.size(), 2u) << "the object's elements";
    ChainState program = session.getChainProgram("xdp_filter");
    EXPECT_EQ(program.progId, state.progId);
    EXPECT_EQ(program.attached(), state.attached());
    EXPECT_TRUE(program.counters.empty()) << "the program and links only";
    Session::LogSource logs = session.openLogs("xdp_filter");
    EXPECT_EQ(bpf::mapInfo(logs.ringBuffer.get()).type,
              uint32_t(BPF_MAP_TYPE_RINGBUF));
    EXPECT_EQ(session.getRuleset(false).size(), 1u);
    session.flushChain("xdp_filter");
    EXPECT_TRUE(session.getRuleset(false).empty());
    EXPECT_NE(errorOf([&] {
                session.flushChain("xdp_filter");
              }).find("chain 'xdp_filter' does not exist"),
              std::string::npos);
  }
  EXPECT_EQ(listDir(dir_ + "/bfc"), std::vector<std::string>{"@owner"});
}

TEST_F(Bpffs, SelectsChainsByName) {
  object::ObjectFile two =
      object::ObjectFile::fromFile(testObject("two_chains"));
  EXPECT_NE(errorOf([&] {
              selectChain(two, std::nullopt);
            }).find("has 2 chains (first, second): choose one with --name"),
            std::string::npos);
  EXPECT_EQ(selectChain(two, std::string("second")).name, "second");
  EXPECT_NE(errorOf([&] {
              selectChain(two, std::string("third"));
            }).find("has no chain 'third' (it has: first, second)"),
            std::string::npos);
}

TEST(PinStore, MapNamesCannotTakeBfloadsPins) {
  EXPECT_NO_THROW(validateMapName("c", "c_counters"));
  for (const char *reserved :
       {"prog", "meta", "link", "link_ip4", "link_ip6", "@owner"})
    EXPECT_THROW(validateMapName("c", reserved), LoadError) << reserved;
  for (const char *bad : {"", "../x", "a/b", "@tmp@c", "x\x1b", "a-b"})
    EXPECT_THROW(validateMapName("c", bad), LoadError) << bad;
  EXPECT_THROW(validateMapName("c", std::string(201, 'a')), LoadError);
  EXPECT_EQ(errorOf([] { validateChainName("\x1b[2J"); }).find('\x1b'),
            std::string::npos);
}
