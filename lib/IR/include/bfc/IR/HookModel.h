// The hook model: what a program attached to each hook can read (fields and
// the non-field predicates), which actions it can take, and what it returns
// for each verdict. Sema, ir::verifyModule, the passes, the interpreter,
// code generation and the test runner all ask it; none keeps its own table.
// docs/semantics.md is the prose version.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bfc/IR/BFIR.h"

namespace bfc::ir {

/// What a hook's programs see of a field or predicate.
enum class Visibility : uint8_t {
  /// Read from the packet or the program context.
  Visible,
  /// sock_addr hooks: the socket call has no such value. A predicate on it
  /// is false, even negated (docs/semantics.md, "Predicates"). Valid BFIR;
  /// the language rejects it, code generation does not compile it.
  Absent,
  /// The program cannot read it (meta.mark on XDP): invalid BFIR.
  Unsupported,
};

Visibility fieldVisibility(Hook hook, FieldId field);
/// meta.iface (Predicate::Kind::Iface).
Visibility ifaceVisibility(Hook hook);
/// meta.flow_probability: the flow hash of the packet's 5-tuple.
Visibility flowProbabilityVisibility(Hook hook);
/// The IPv6 header chain (Predicate::Kind::Ip6HeaderChain).
Visibility ip6HeaderChainVisibility(Hook hook);

/// A predicate's visibility: the least visible thing it reads (every key
/// field of a set). `what`, when given, names that thing for messages
/// ("meta.mark", "meta.iface", "meta.flow_probability", "ip6.nexthdr").
Visibility predicateVisibility(Hook hook, const Predicate &pred,
                               const Chain &chain,
                               std::string_view *what = nullptr);

/// "meta.mark is not available on BF_HOOK_XDP".
std::string notAvailableMessage(std::string_view what, Hook hook);

/// The `mark` rule option: only hooks whose program can write skb->mark.
bool hookCanSetMark(Hook hook);
/// Verdict REDIRECT: XDP (out only) and TC.
bool hookCanRedirect(Hook hook, RedirectDir dir);

/// The return code of `verdict` on `hook`; nullopt for CONTINUE, and for
/// REDIRECT outside XDP and TC. REDIRECT's code is what bpf_redirect()
/// returns on success.
std::optional<int32_t> hookReturnCode(Hook hook, Verdict verdict);
/// "XDP_PASS", "TCX_NEXT", "NF_ACCEPT", "allow", ... for a hook's return
/// code; the number itself for codes the hook does not name.
std::string returnCodeName(Hook hook, int32_t code);

} // namespace bfc::ir
