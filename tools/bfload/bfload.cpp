// bfload: bfcli's chain management for compiled bfc objects, without a
// compiler and without a daemon. State lives in bpffs only.
#include <atomic>
#include <bpf/libbpf.h>
#include <charconv>
#include <cmath>
#include <csignal>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bfc/Load/Bpf.h"
#include "bfc/Load/Debug.h"
#include "bfc/Load/Error.h"
#include "bfc/Load/Metrics.h"
#include "bfc/Load/Report.h"
#include "bfc/Load/Session.h"
#include "bfc/Object/ObjectFile.h"
#include "bfc/Support/Text.h"
#include "bfc/Support/Version.h"

using namespace bfc;
using namespace bfc::load;
using nlohmann::json;

namespace {

struct GlobalOptions {
  std::string bpffsPath = "/sys/fs/bpf";
  std::vector<std::string> verbose;
  bool json = false;
  std::string waitText;
  CLI::Option *waitOption = nullptr;
};

struct ChainOptions {
  std::string object;
  std::optional<std::string> name;
  std::vector<std::string> options;
  std::string setName;
  std::vector<std::string> add;
  std::vector<std::string> remove;
  bool noSetContent = false;
  std::string format; ///< for `get`: text, json, prometheus, openmetrics
};

/// SECONDS of `--wait=SECONDS`: a finite, non-negative number.
std::optional<double> waitSeconds(const std::string &text) {
  double seconds = 0;
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec != std::errc() || end != text.data() + text.size() ||
      !std::isfinite(seconds) || seconds < 0)
    return std::nullopt;
  return seconds;
}

SessionOptions sessionOptions(const GlobalOptions &global) {
  SessionOptions options;
  options.bpffsPath = global.bpffsPath;
  if (global.waitOption && global.waitOption->count() > 0) {
    options.wait.wait = true;
    // Checked at parse time by the option's validator.
    if (!global.waitText.empty())
      options.wait.timeoutSecs = *waitSeconds(global.waitText);
  }
  return options;
}

void printResult(const GlobalOptions &global, json result) {
  if (global.json)
    std::cout << jsonText(result, 2) << "\n";
}

void printChains(const GlobalOptions &global, const std::string &format,
                 const std::vector<ChainState> &states, bool setContent) {
  if (format == "prometheus" || format == "openmetrics") {
    printMetrics(std::cout, states,
                 format == "openmetrics" ? MetricsFormat::OpenMetrics
                                         : MetricsFormat::Prometheus);
    return;
  }
  if (format == "json" || (format.empty() && global.json)) {
    json chains = json::array();
    for (const ChainState &state : states)
      chains.push_back(chainToJson(state, setContent));
    std::cout << jsonText(json{{"chains", chains}}, 2) << "\n";
    return;
  }
  for (const ChainState &state : states)
    printChain(std::cout, state, setContent);
}

std::atomic<bool> stopRequested = false;

void onStopSignal(int) { stopRequested = true; }

struct LogStream {
  ChainRecord record;
  const GlobalOptions *global;
  TimeBase time;
};

int onLogEvent(void *context, void *data, size_t size) {
  auto *stream = static_cast<LogStream *>(context);
  try {
    bfc_log_event event = decodeLogEvent(data, size);
    if (stream->global->json)
      std::cout << jsonText(logEventToJson(stream->record, event, stream->time))
                << "\n";
    else
      std::cout << formatLogEvent(stream->record, event, stream->time) << "\n";
    std::cout.flush();
  } catch (const std::exception &e) {
    // Nothing may unwind through libbpf's C frames.
    fmt::print(stderr, "bfload: warning: {}\n", escapeForDisplay(e.what()));
  }
  return 0;
}

/// True when the pinned log map of `chain` is no longer the one with id
/// `mapId` (the chain was updated or flushed). Looks without the lock, so a
/// `chain logs` that is only watching never makes another bfload wait.
bool logMapChanged(const std::string &rootPath, const std::string &chain,
                   const std::string &mapName, uint32_t mapId) {
  try {
    auto fd = bpf::openPinnedIfExists(rootPath + "/" + chain + "/" + mapName);
    return !fd || bpf::mapInfo(fd->get()).id != mapId;
  } catch (const LoadError &) {
    return true;
  }
}

/// Streams a chain's log events until SIGINT/SIGTERM. The lock is held only
/// while opening the pinned state; every second the chain is looked at
/// again, to follow it across `chain update` and to stop when it is
/// flushed.
int streamLogs(const GlobalOptions &global, const std::string &name) {
  SessionOptions options = sessionOptions(global);
  Session::LogSource source;
  std::string rootPath;
  {
    Session session(options);
    source = session.openLogs(name);
    rootPath = session.root().path();
  }
  std::signal(SIGINT, onStopSignal);
  std::signal(SIGTERM, onStopSignal);

  while (!stopRequested) {
    LogStream stream{source.record, &global, TimeBase()};
    ring_buffer *rb =
        ring_buffer__new(source.ringBuffer.get(), onLogEvent, &stream, nullptr);
    if (!rb)
      throwErrno("cannot open the log ring buffer", errno);
    const uint32_t mapId = bpf::mapInfo(source.ringBuffer.get()).id;
    const std::string mapName = source.record.chain().log->map;
    int ticks = 0;
    bool switched = false;
    while (!stopRequested && !switched) {
      int ret = ring_buffer__poll(rb, 200);
      if (ret < 0 && ret != -EINTR) {
        ring_buffer__free(rb);
        throwErrno("cannot read the log ring buffer", -ret);
      }
      if (++ticks % 5 != 0 || !logMapChanged(rootPath, name, mapName, mapId))
        continue;
      // Something changed: look again properly, under the lock.
      SessionOptions locked = options;
      locked.wait = {true, 5.0};
      try {
        Session session(locked);
        if (!session.root().chainExists(name)) {
          ring_buffer__consume(rb);
          fmt::print(stderr, "bfload: chain '{}' was flushed\n", name);
          ring_buffer__free(rb);
          return 0;
        }
        Session::LogSource latest = session.openLogs(name);
        if (bpf::mapInfo(latest.ringBuffer.get()).id != mapId) {
          ring_buffer__consume(rb);
          source = std::move(latest);
          switched = true;
          debugLog("chain '{}' was replaced, following the new one", name);
        }
      } catch (const LoadError &e) {
        // The new chain does not log, or the lock stayed busy: keep the
        // current ring buffer and look again later.
        debugLog("{}", e.what());
      }
    }
    ring_buffer__free(rb);
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  CLI::App app("bfload: load, attach and manage bfc objects (BPF packet "
               "filters compiled by bfc)",
               "bfload");
  app.require_subcommand(1);
  GlobalOptions global;
  app.set_version_flag("--version", std::string("bfload ") + bfc::kVersion);
  app.add_option("--bpffs-path", global.bpffsPath,
                 "BPF filesystem holding the pinned chains (default "
                 "/sys/fs/bpf)");
  app.add_option("--verbose", global.verbose,
                 "Verbose output: debug (bfload's steps), bpf (libbpf and the "
                 "verifier), bytecode (loaded instructions); repeatable")
      ->check(CLI::IsMember({"debug", "bpf", "bytecode"}))
      ->take_all()
      ->expected(1);
  app.add_flag("--json", global.json, "Print results as JSON");
  global.waitOption =
      app.add_option("--wait", global.waitText,
                     "Wait for another bfload to release the lock (forever, "
                     "or at most SECONDS)")
          ->expected(0, 1)
          ->type_name("[=SECONDS]")
          ->check(CLI::Validator(
              [](std::string &text) -> std::string {
                if (text.empty() || waitSeconds(text))
                  return {};
                return fmt::format("expected a number of seconds, found '{}'",

                                   text);
              },
              "SECONDS"));

  ChainOptions chain;
  auto addName = [&](CLI::App *cmd, bool required) {
    auto *opt = cmd->add_option("--name", chain.name, "Chain name");
    if (required)
      opt->required();
  };

  CLI::App *ruleset = app.add_subcommand("ruleset", "Every chain at once");
  ruleset->require_subcommand(1);
  CLI::App *rulesetSet = ruleset->add_subcommand(
      "set", "Replace every chain with the object's chains");
  rulesetSet->add_option("OBJ", chain.object, "bfc object (.bpf.o)")
      ->required();
  CLI::App *rulesetGet =
      ruleset->add_subcommand("get", "Print every chain with its counters");
  rulesetGet->add_flag("--no-set-content", chain.noSetContent,
                       "Print set sizes instead of their elements");
  auto addFormat = [&](CLI::App *cmd) {
    cmd->add_option("--format", chain.format,
                    "Output: text (default), json (as --json), prometheus "
                    "(text exposition format, for node_exporter's textfile "
                    "collector) or openmetrics")
        ->check(CLI::IsMember({"text", "json", "prometheus", "openmetrics"}));
  };
  addFormat(rulesetGet);
  CLI::App *rulesetFlush =
      ruleset->add_subcommand("flush", "Detach and remove every chain");

  CLI::App *chainCmd = app.add_subcommand("chain", "One chain");
  chainCmd->require_subcommand(1);
  CLI::App *chainSet = chainCmd->add_subcommand(
      "set", "Load a chain and attach it (replaces a chain of the same name)");
  CLI::App *chainLoad =
      chainCmd->add_subcommand("load", "Load and pin a chain, do not attach");
  CLI::App *chainUpdate = chainCmd->add_subcommand(
      "update", "Atomically replace the program of an existing chain");
  for (CLI::App *cmd : {chainSet, chainLoad, chainUpdate}) {
    cmd->add_option("OBJ", chain.object, "bfc object (.bpf.o)")->required();
    addName(cmd, false);
  }
  chainSet->add_option("--option", chain.options,
                       "Hook option overriding the object's: ifindex=N|IFACE, "
                       "cgpath=PATH, priorities=A-B");
  CLI::App *chainAttach =
      chainCmd->add_subcommand("attach", "Attach a loaded chain");
  addName(chainAttach, true);
  chainAttach->add_option("--option", chain.options,
                          "Hook option: ifindex=N|IFACE, cgpath=PATH, "
                          "priorities=A-B");
  CLI::App *chainUpdateSet = chainCmd->add_subcommand(
      "update-set", "Add or remove elements of a chain's named set");
  addName(chainUpdateSet, true);
  chainUpdateSet->add_option("--set-name", chain.setName, "Set name")
      ->required();
  chainUpdateSet->add_option("--add", chain.add,
                             "Element to add, e.g. 192.0.2.1 or \"10.0.0.1, "
                             "tcp\"");
  chainUpdateSet->add_option("--remove", chain.remove, "Element to remove");
  CLI::App *chainGet =
      chainCmd->add_subcommand("get", "Print a chain with its counters");
  addName(chainGet, true);
  chainGet->add_flag("--no-set-content", chain.noSetContent,
                     "Print set sizes instead of their elements");
  addFormat(chainGet);
  CLI::App *chainLogs = chainCmd->add_subcommand(
      "logs", "Print a chain's log events as they come (Ctrl+C to stop)");
  addName(chainLogs, true);
  CLI::App *chainFlush =
      chainCmd->add_subcommand("flush", "Detach and remove a chain");
  addName(chainFlush, true);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  for (const std::string &v : global.verbose) {
    verbosity().debug |= v == "debug";
    verbosity().bpf |= v == "bpf";
    verbosity().bytecode |= v == "bytecode";
  }

  try {
    if (chainLogs->parsed())
      return streamLogs(global, *chain.name);

    // Objects are read and validated before the lock is taken: a bad object
    // never touches the pinned state.
    std::optional<object::ObjectFile> object;
    if (!chain.object.empty())
      object = object::ObjectFile::fromFile(chain.object);
    Session session(sessionOptions(global));

    if (rulesetSet->parsed()) {
      std::vector<std::string> names = session.setRuleset(*object);
      printResult(global, {{"chains", names}});
    } else if (rulesetGet->parsed()) {
      printChains(global, chain.format, session.getRuleset(true),
                  !chain.noSetContent);
    } else if (rulesetFlush->parsed()) {
      printResult(global, {{"flushed", session.flushRuleset()}});
    } else if (chainSet->parsed() || chainLoad->parsed() ||
               chainUpdate->parsed()) {
      const object::ChainInfo &info = selectChain(*object, chain.name);
      if (chainSet->parsed())
        session.setChain(*object, info, parseOptionOverrides(chain.options));
      else if (chainLoad->parsed())
        session.loadChain(*object, info);
      else
        session.updateChain(*object, info);
      ChainState state = session.getChainProgram(info.name);
      printResult(global, {{"chain", info.name},
                           {"attached", state.attached()},
                           {"program_id", state.progId}});
    } else if (chainAttach->parsed()) {
      session.attachChain(*chain.name, parseOptionOverrides(chain.options));
      printResult(global, {{"chain", *chain.name}, {"attached", true}});
    } else if (chainUpdateSet->parsed()) {
      SetUpdateResult result = session.updateSet(*chain.name, chain.setName,
                                                 chain.add, chain.remove);
      for (const std::string &e : result.alreadyPresent)
        fmt::print(stderr, "bfload: note: {} is already in set '{}'\n", e,
                   chain.setName);
      for (const std::string &e : result.notPresent)
        fmt::print(stderr, "bfload: note: {} is not in set '{}'\n", e,
                   chain.setName);
      printResult(global, {{"chain", *chain.name},
                           {"set", chain.setName},
                           {"added", result.added},
                           {"removed", result.removed},
                           {"size", result.size}});
    } else if (chainGet->parsed()) {
      printChains(global, chain.format, {session.getChain(*chain.name, true)},
                  !chain.noSetContent);
    } else if (chainFlush->parsed()) {
      session.flushChain(*chain.name);
      printResult(global, {{"flushed", {*chain.name}}});
    }
  } catch (const LoadError &e) {
    fmt::print(stderr, "bfload: error: {}\n", escapeForDisplay(e.what()));
    return 1;
  } catch (const object::ObjectError &e) {
    fmt::print(stderr, "bfload: error: {}\n", escapeForDisplay(e.what()));
    return 1;
  } catch (const std::exception &e) {
    fmt::print(stderr, "bfload: error: {}\n", escapeForDisplay(e.what()));
    return 1;
  }
  return 0;
}
