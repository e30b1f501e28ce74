#include "DebugTypes.h"

#include <algorithm>

#include <llvm/BinaryFormat/Dwarf.h>

namespace bfc::codegen::detail {

using namespace llvm;

DebugTypes::DebugTypes(DIBuilder &dib, DIFile *file, DICompileUnit *unit)
    : dib_(dib), file_(file), unit_(unit) {}

DIType *DebugTypes::intType() {
  if (!int_)
    int_ = dib_.createBasicType("int", 32, dwarf::DW_ATE_signed);
  return int_;
}

DIType *DebugTypes::u8() {
  if (!u8_)
    u8_ = dib_.createTypedef(
        dib_.createBasicType("unsigned char", 8, dwarf::DW_ATE_unsigned_char),
        "__u8", file_, 0, unit_);
  return u8_;
}

DIType *DebugTypes::u16() {
  if (!u16_)
    u16_ = dib_.createTypedef(
        dib_.createBasicType("unsigned short", 16, dwarf::DW_ATE_unsigned),
        "__u16", file_, 0, unit_);
  return u16_;
}

DIType *DebugTypes::u32() {
  if (!u32_)
    u32_ = dib_.createTypedef(
        dib_.createBasicType("unsigned int", 32, dwarf::DW_ATE_unsigned),
        "__u32", file_, 0, unit_);
  return u32_;
}

DIType *DebugTypes::u64() {
  if (!u64_)
    u64_ = dib_.createTypedef(
        dib_.createBasicType("unsigned long long", 64, dwarf::DW_ATE_unsigned),
        "__u64", file_, 0, unit_);
  return u64_;
}

DIType *DebugTypes::charType() {
  if (!char_)
    char_ = dib_.createBasicType("char", 8, dwarf::DW_ATE_signed_char);
  return char_;
}

DIType *DebugTypes::voidPtr() {
  if (!voidPtr_)
    voidPtr_ = dib_.createPointerType(nullptr, 64);
  return voidPtr_;
}

DIType *DebugTypes::pointerTo(DIType *type) {
  return dib_.createPointerType(type, 64);
}

DIType *DebugTypes::arrayOf(DIType *element, uint64_t count) {
  Metadata *range = dib_.getOrCreateSubrange(0, static_cast<int64_t>(count));
  return dib_.createArrayType(count * element->getSizeInBits(),
                              element->getAlignInBits(), element,
                              dib_.getOrCreateArray({range}));
}

DIType *DebugTypes::intArray(uint64_t count) {
  return arrayOf(intType(), count);
}

DICompositeType *DebugTypes::structType(const std::string &name,
                                        ArrayRef<Member> members) {
  uint64_t offset = 0, align = 8;
  std::vector<std::pair<uint64_t, const Member *>> placed;
  for (const Member &m : members) {
    uint64_t memberAlign = std::clamp<uint64_t>(m.bits, 8, 64);
    if (m.type->getTag() == dwarf::DW_TAG_array_type)
      memberAlign = std::max<uint64_t>(
          8, cast<DICompositeType>(m.type)->getBaseType()->getSizeInBits());
    memberAlign = std::min<uint64_t>(memberAlign, 64);
    offset = (offset + memberAlign - 1) / memberAlign * memberAlign;
    placed.emplace_back(offset, &m);
    offset += m.bits;
    align = std::max(align, memberAlign);
  }
  uint64_t size = (offset + align - 1) / align * align;
  DICompositeType *type = dib_.createStructType(
      unit_, name, file_, 0, size, static_cast<uint32_t>(align),
      DINode::FlagZero, nullptr, dib_.getOrCreateArray({}));
  SmallVector<Metadata *, 8> elements;
  for (auto [memberOffset, m] : placed)
    elements.push_back(dib_.createMemberType(type, m->name, file_, 0, m->bits,
                                             0, memberOffset, DINode::FlagZero,
                                             m->type));
  dib_.replaceArrays(type, dib_.getOrCreateArray(elements));
  return type;
}

DICompositeType *DebugTypes::opaqueStruct(const std::string &name) {
  return dib_.createStructType(unit_, name, file_, 0, 0, 0, DINode::FlagZero,
                               nullptr, dib_.getOrCreateArray({}));
}

DIType *DebugTypes::counterType() {
  if (!counter_)
    counter_ = structType("bfc_counter",
                          {{"packets", u64(), 64}, {"bytes", u64(), 64}});
  return counter_;
}

DICompositeType *DebugTypes::mapType(uint32_t mapType, uint32_t maxEntries,
                                     uint32_t mapFlags, DIType *key,
                                     DIType *value) {
  std::vector<Member> members = {
      {"type", pointerTo(intArray(mapType)), 64},
      {"max_entries", pointerTo(intArray(maxEntries)), 64}};
  if (mapFlags)
    members.push_back({"map_flags", pointerTo(intArray(mapFlags)), 64});
  if (key)
    members.push_back({"key", pointerTo(key), 64});
  if (value)
    members.push_back({"value", pointerTo(value), 64});
  return structType("", members);
}

DISubroutineType *DebugTypes::programType(DIType *ctxPointer) {
  return dib_.createSubroutineType(
      dib_.getOrCreateTypeArray({intType(), ctxPointer}));
}

} // namespace bfc::codegen::detail
