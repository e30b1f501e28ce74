/* Declarations shared by the hand-written test chains (see chain.h). */
#ifndef BFC_TEST_COMMON_H
#define BFC_TEST_COMMON_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "bfc/runtime/ObjectFormat.h"

/* Netfilter program context (kernel types, relocated with CO-RE). */
struct nf_hook_state {
  __u8 hook;
  __u8 pf;
} __attribute__((preserve_access_index));
struct sk_buff {
  unsigned int len;
} __attribute__((preserve_access_index));
struct bpf_nf_ctx {
  const struct nf_hook_state *state;
  struct sk_buff *skb;
} __attribute__((preserve_access_index));

extern int bpf_dynptr_from_skb(struct sk_buff *skb, __u64 flags,
                               struct bpf_dynptr *ptr__uninit) __ksym;

#ifndef N_HOST_SLOTS
#define N_HOST_SLOTS 1
#endif
const volatile __u32 bfc_host_slots[N_HOST_SLOTS] = {0};

char LICENSE[] SEC("license") = "GPL";

#endif
