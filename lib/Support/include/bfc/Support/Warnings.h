// The warnings bfc can report, each with a stable ID (`-W<id>`), and the
// command-line policy that enables, disables or promotes them.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace bfc {

/// Every warning. To add one, add an enumerator here and a row to
/// kWarnings (Warnings.cpp): the flags, --help and SARIF rules follow.
enum class WarningID : uint8_t {
  ShadowedRule,
  UnreachableRule,
  NeverMatchingRule,
  EmptySet,
  DuplicateSetElement,
  IfindexZero,
  DeprecatedOption,
  Backend,
  LossyImport, // the last: kWarningCount follows it
};
constexpr size_t kWarningCount =
    static_cast<size_t>(WarningID::LossyImport) + 1;

struct WarningInfo {
  WarningID id;
  const char *name;        ///< kebab-case, as in -W<name>
  const char *description; ///< one line, for --help and SARIF rules
};

/// All warnings, in WarningID order.
std::span<const WarningInfo> warnings();
const WarningInfo &warningInfo(WarningID id);
std::optional<WarningID> findWarning(std::string_view name);

/// What the -W flags and -w make of each warning. Per warning, the last flag
/// naming it wins; -w silences every warning whatever the order, even the
/// ones -Werror=<id> promotes (as in clang).
class WarningPolicy {
public:
  /// Applies one flag given without its `-W`: `error`, `no-error`, `<id>`,
  /// `no-<id>`, `error=<id>` or `no-error=<id>`. Returns the usage error
  /// (naming the flag, with a suggestion) when it is not one of those.
  std::optional<std::string> apply(std::string_view flag);
  /// -Werror (on) or -Wno-error (off): warnings without their own
  /// -W[no-]error=<id> become errors.
  void setWarningsAsErrors(bool on) { allAsErrors_ = on; }
  /// -w: drop every warning.
  void setIgnoreAll(bool on) { ignoreAll_ = on; }

  bool isEnabled(WarningID id) const;
  bool isError(WarningID id) const;
  /// For a warning without an ID: only -w and -Werror apply.
  bool ignoresAll() const { return ignoreAll_; }
  bool warningsAsErrors() const { return allAsErrors_; }

private:
  struct State {
    bool enabled = true;
    std::optional<bool> asError; ///< from -W[no-]error=<id>
  };
  static constexpr size_t kCount = kWarningCount;
  std::array<State, kCount> states_{};
  bool allAsErrors_ = false;
  bool ignoreAll_ = false;
};

} // namespace bfc
