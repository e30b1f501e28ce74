/* Program and attach types newer than the build's UAPI headers (netfilter:
 * 32/45, tcx: 46/47) passed to libbpf. In C an enum holds any value of its
 * integer type; in C++ a value past the enum's range is undefined, hence
 * this file. */
#include <bpf/libbpf.h>

#include "LibbpfCompat.h"

int bfc_program_set_types(struct bpf_program *prog, unsigned int prog_type,
                          unsigned int expected_attach_type) {
  int err = bpf_program__set_type(prog, prog_type);
  if (err)
    return err;
  return bpf_program__set_expected_attach_type(prog, expected_attach_type);
}
