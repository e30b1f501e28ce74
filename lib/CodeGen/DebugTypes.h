// Debug-info types for BTF: the BPF backend turns them into .BTF/.BTF.ext.
// Maps are BTF-defined (a struct of pointers in `.maps`, libbpf's __uint and
// __type encodings), programs carry a DISubprogram with named parameters,
// and CO-RE accesses need named struct types.
#pragma once

#include <cstdint>
#include <string>

#include <llvm/IR/DIBuilder.h>
#include <llvm/IR/DebugInfoMetadata.h>

namespace bfc::codegen::detail {

class DebugTypes {
public:
  DebugTypes(llvm::DIBuilder &dib, llvm::DIFile *file,
             llvm::DICompileUnit *unit);

  llvm::DIFile *file() const { return file_; }
  llvm::DICompileUnit *unit() const { return unit_; }

  llvm::DIType *intType();
  llvm::DIType *u8();
  llvm::DIType *u16();
  llvm::DIType *u32();
  llvm::DIType *u64();
  llvm::DIType *charType();
  llvm::DIType *voidPtr();
  llvm::DIType *pointerTo(llvm::DIType *type);
  llvm::DIType *arrayOf(llvm::DIType *element, uint64_t count);

  /// A struct with the given (name, type, bit size) members laid out
  /// naturally (each member aligned to its size, capped at 8 bytes).
  struct Member {
    std::string name;
    llvm::DIType *type;
    uint64_t bits;
  };
  llvm::DICompositeType *structType(const std::string &name,
                                    llvm::ArrayRef<Member> members);
  /// A named struct without members (the kernel's context structs, kfunc
  /// argument types: only the name matters).
  llvm::DICompositeType *opaqueStruct(const std::string &name);

  /// `struct bfc_counter { u64 packets; u64 bytes; }`
  llvm::DIType *counterType();

  /// The BTF-defined map struct: `type` and `max_entries` (and `map_flags`
  /// when non-zero) as pointers to int arrays whose length is the value,
  /// `key`/`value` as pointers to their types (omitted when null).
  llvm::DICompositeType *mapType(uint32_t mapType, uint32_t maxEntries,
                                 uint32_t mapFlags, llvm::DIType *key,
                                 llvm::DIType *value);

  /// `int (struct <ctxName> *ctx)` plus the parameter names for BTF.
  llvm::DISubroutineType *programType(llvm::DIType *ctxPointer);

private:
  llvm::DIType *intArray(uint64_t count);

  llvm::DIBuilder &dib_;
  llvm::DIFile *file_;
  llvm::DICompileUnit *unit_;
  llvm::DIType *int_ = nullptr, *u8_ = nullptr, *u16_ = nullptr,
               *u32_ = nullptr, *u64_ = nullptr, *char_ = nullptr,
               *voidPtr_ = nullptr, *counter_ = nullptr;
};

} // namespace bfc::codegen::detail
