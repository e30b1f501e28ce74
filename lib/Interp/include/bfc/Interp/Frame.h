// One input as the interpreter sees it: the packet (or sock_addr call), its
// parsed headers, the current mark, and the truth of predicates on it. The
// interpreter runs rules over a Frame; tests evaluate other strategies
// (classifier plans) against the same field values.
#pragma once

#include <cstdint>
#include <optional>

#include "bfc/IR/BFIR.h"
#include "bfc/Interp/Interpreter.h"
#include "bfc/Interp/PacketLayout.h"
#include "bfc/Packet/Packet.h"

namespace bfc::interp {

class Frame {
public:
  /// `module`, `chain`, `env` and `input` must outlive the frame.
  Frame(const ir::Module &module, const ir::Chain &chain, const HostEnv &env,
        const packet::Input &input);

  const PacketLayout &layout() const { return layout_; }
  const packet::Packet *packet() const { return packet_; }
  const packet::SockAddr *sock() const { return sock_; }
  uint32_t mark() const { return mark_; }
  void setMark(uint32_t mark) { mark_ = mark; }

  /// Bytes counted for a packet (docs/semantics.md table).
  uint64_t countedBytes() const { return packet_ ? packet_->data.size() : 0; }

  /// The value of `field`, or nullopt when its header is absent.
  std::optional<ir::Bytes> field(ir::FieldId id) const {
    return sock_ ? sockField(id) : packetField(id);
  }

  /// A predicate's truth: false when its header is absent, whatever the
  /// negation.
  bool holds(const ir::Predicate &pred) const {
    std::optional<bool> test = evaluate(pred);
    return test && (pred.negate != *test);
  }

  std::optional<uint32_t> hostIfindex(uint32_t slot) const;

private:
  std::optional<ir::Bytes> packetField(ir::FieldId id) const;
  std::optional<ir::Bytes> sockField(ir::FieldId id) const;
  std::optional<bool> evaluate(const ir::Predicate &pred) const;
  std::optional<bool> evaluateField(const ir::Predicate &pred) const;
  std::optional<bool> evaluateSet(const ir::Set &set) const;
  std::optional<uint32_t> flowHashOfPacket() const;

  const ir::Module &module_;
  const ir::Chain &chain_;
  const HostEnv &env_;
  const packet::Packet *packet_ = nullptr;
  const packet::SockAddr *sock_ = nullptr;
  PacketLayout layout_;
  uint32_t mark_ = 0;
};

} // namespace bfc::interp
