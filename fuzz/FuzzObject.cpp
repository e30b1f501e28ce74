// The object reader bfload runs on files it is given: ELF sections,
// `.bfc.meta`, `.bfc.sets`, `.bfc.tables`, the host slot symbol. Any bytes
// give an ObjectError or an object, never a crash.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "bfc/Object/ObjectFile.h"
#include "bfc/Object/SetElements.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  using namespace bfc;
  try {
    object::ObjectFile file = object::ObjectFile::fromMemory(
        std::vector<uint8_t>(data, data + size), "fuzz.bpf.o");
    // What bfload reads next: every chain, set and table.
    for (const object::ChainInfo &chain : file.metadata().chains) {
      for (const object::SetInfo &set : chain.sets)
        for (const object::SetElement &element : set.elements)
          (void)object::formatSetElement(set, element);
      (void)chain.tables.size();
    }
    (void)file.hostSlotsSymbol();
  } catch (const object::ObjectError &) {
  }
  return 0;
}
