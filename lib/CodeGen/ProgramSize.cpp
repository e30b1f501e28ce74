// The verifier's instruction limit, checked on the emitted object: a
// program it cannot walk is a compile error, not an object the kernel
// rejects at load time.
#include "ProgramSize.h"

#include <fmt/format.h>
#include <llvm/Object/ELFObjectFile.h>
#include <llvm/Object/ObjectFile.h>
#include <llvm/Support/MemoryBuffer.h>

#include "bfc/CodeGen/CodeGen.h"

namespace bfc::codegen::detail {

using namespace llvm;

namespace {
constexpr unsigned kInsnBytes = 8;
/// BPF_LD | BPF_IMM | BPF_DW: one instruction in two 8-byte slots.
constexpr uint8_t kLoadImm64 = 0x18;

/// Instructions (not slots) of `bytes`.
uint64_t countInstructions(StringRef bytes) {
  uint64_t n = 0;
  for (size_t at = 0; at + kInsnBytes <= bytes.size(); ++n)
    at += static_cast<uint8_t>(bytes[at]) == kLoadImm64 ? 2 * kInsnBytes
                                                        : kInsnBytes;
  return n;
}
} // namespace

std::map<std::string, uint64_t> functionInstructions(ArrayRef<char> object) {
  std::map<std::string, uint64_t> sizes;
  auto buffer = MemoryBuffer::getMemBuffer(
      StringRef(object.data(), object.size()), "object", false);
  Expected<std::unique_ptr<object::ObjectFile>> file =
      object::ObjectFile::createObjectFile(buffer->getMemBufferRef());
  if (!file) {
    consumeError(file.takeError());
    return sizes;
  }
  for (const object::SymbolRef &symbol : (*file)->symbols()) {
    Expected<object::SymbolRef::Type> type = symbol.getType();
    Expected<StringRef> name = symbol.getName();
    Expected<uint64_t> address = symbol.getAddress();
    Expected<object::section_iterator> section = symbol.getSection();
    if (!type || !name || !address || !section ||
        *type != object::SymbolRef::ST_Function ||
        *section == (*file)->section_end()) {
      consumeError(type.takeError());
      consumeError(name.takeError());
      consumeError(address.takeError());
      consumeError(section.takeError());
      continue;
    }
    Expected<StringRef> contents = (*section)->getContents();
    uint64_t size = object::ELFSymbolRef(symbol).getSize();
    if (!contents || *address + size > contents->size()) {
      consumeError(contents.takeError());
      continue;
    }
    sizes[name->str()] = countInstructions(contents->substr(*address, size));
  }
  return sizes;
}

std::string tooManyFunctions(const std::string &chain, uint64_t functions,
                             uint64_t limit) {
  return fmt::format("chain '{}' compiles to {} BPF functions, more than the "
                     "{} the kernel's verifier accepts in one program: it "
                     "cannot load; split the chain or use sets",
                     chain, functions, limit);
}

void checkVerifierLimits(const ir::Module &module, ArrayRef<char> object,
                         const CodeGenOptions &options,
                         DiagnosticEngine &diags) {
  std::map<std::string, uint64_t> sizes = functionInstructions(object);
  std::vector<ChainSymbols> symbols = chainSymbols(module);
  for (size_t i = 0; i < module.chains.size() && i < symbols.size(); ++i) {
    // The program, its shared epilogue and its rule groups: the verifier
    // walks each of them at least once, and counts them together.
    const std::string &program = symbols[i].program;
    uint64_t total = 0, functions = 0;
    for (const auto &[name, n] : sizes)
      if (name == program || name == program + "_matched" ||
          (name.starts_with(program + "_rules") &&
           name.find_first_not_of("0123456789", program.size() + 6) ==
               std::string::npos)) {
        total += n;
        ++functions;
      }
    if (functions > options.subprogramLimit)
      diags.error(module.chains[i].range,
                  tooManyFunctions(module.chains[i].name, functions,
                                   options.subprogramLimit));
    if (total > options.verifierInsnLimit)
      diags.error(
          module.chains[i].range,
          fmt::format("chain '{}' compiles to {} BPF instructions, more than "
                      "the {} the kernel's verifier processes in one program: "
                      "it cannot load; split the chain or use sets",
                      module.chains[i].name, total, options.verifierInsnLimit));
  }
}

} // namespace bfc::codegen::detail
