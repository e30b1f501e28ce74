// LLVM's diagnostics as bfc diagnostics: see BackendDiagnostics.h.
#include "BackendDiagnostics.h"

#include <set>
#include <string>

#include <llvm/IR/DiagnosticInfo.h>
#include <llvm/IR/DiagnosticPrinter.h>
#include <llvm/IR/Instruction.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/Support/raw_ostream.h>

namespace bfc::codegen::detail {

using namespace llvm;

struct BackendDiagnostics::Handler : DiagnosticHandler {
  Handler(DiagnosticEngine &diags, unsigned &errors)
      : diags(diags), errors(errors) {}

  bool handleDiagnostics(const DiagnosticInfo &info) override {
    Severity severity;
    switch (info.getSeverity()) {
    case DS_Error:
      severity = Severity::Error;
      ++errors;
      break;
    case DS_Warning:
      severity = Severity::Warning;
      break;
    default:
      return true; // remarks and notes: LLVM's business
    }
    std::string message;
    SourceRange where;
    // Generated code carries the line and column of its rule (or chain).
    auto at = [&](unsigned line, unsigned column) {
      where.begin.line = line;
      where.begin.column = column;
    };
    if (const auto *unsupported = dyn_cast<DiagnosticInfoUnsupported>(&info)) {
      message = unsupported->getMessage().str();
      if (unsupported->isLocationAvailable())
        at(unsupported->getLocation().getLine(),
           unsupported->getLocation().getColumn());
    } else if (const auto *inlineAsm =
                   dyn_cast<DiagnosticInfoInlineAsm>(&info)) {
      message = inlineAsm->getMsgStr().str();
      if (const Instruction *inst = inlineAsm->getInstruction())
        if (const DebugLoc &loc = inst->getDebugLoc())
          at(loc.getLine(), loc.getCol());
    } else {
      raw_string_ostream os(message);
      DiagnosticPrinterRawOStream printer(os);
      info.print(printer);
    }
    while (!message.empty() &&
           (message.back() == '\n' || message.back() == ' '))
      message.pop_back();
    // The backend repeats some errors for every instruction concerned (the
    // stack limit: every access past it): the first says it all.
    if (!reported.insert(message).second)
      return true;
    message = "LLVM BPF backend: " + message;
    if (severity == Severity::Warning)
      diags.warning(WarningID::Backend, where, std::move(message));
    else
      diags.report(severity, where, std::move(message));
    return true;
  }

  DiagnosticEngine &diags;
  unsigned &errors;
  std::set<std::string> reported;
};

BackendDiagnostics::BackendDiagnostics(LLVMContext &context,
                                       DiagnosticEngine &diags)
    : context_(context), previous_(context.getDiagnosticHandler()) {
  context.setDiagnosticHandler(std::make_unique<Handler>(diags, errors_));
}

BackendDiagnostics::~BackendDiagnostics() {
  context_.setDiagnosticHandler(std::move(previous_));
}

} // namespace bfc::codegen::detail
