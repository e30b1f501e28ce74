/* See LibbpfCompat.c. */
#ifndef BFC_LOAD_LIBBPF_COMPAT_H
#define BFC_LOAD_LIBBPF_COMPAT_H

#ifdef __cplusplus
extern "C" {
#endif

struct bpf_program;

/* bpf_program__set_type + bpf_program__set_expected_attach_type with plain
 * integers. Returns 0 or a negative errno. */
int bfc_program_set_types(struct bpf_program *prog, unsigned int prog_type,
                          unsigned int expected_attach_type);

#ifdef __cplusplus
}
#endif

#endif
