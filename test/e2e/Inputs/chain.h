/* A hand-written stand-in for what bfc generates, used by the e2e tests
 * until `bfc -o` produces objects: one chain implementing
 *
 *   chain CHAIN HOOK ACCEPT
 *     set blocked (ip4.saddr) in { ... }         (ip4.daddr on sock_addr)
 *     rule (ip4.saddr) in blocked log counter DROP
 *     rule meta.iface eq IFACE udp.dport eq PORT counter DROP
 *                                   (netfilter: no meta.iface; sock_addr:
 *                                    meta.dport eq PORT)
 *     rule ip4.proto eq icmp counter ACCEPT      (not on sock_addr)
 *
 * with the maps, host slot and log events of docs/object-format.md. Include
 * it once per chain, with CHAIN, PORT, SLOT (host slot index of IFACE) and
 * one HOOK_* defined. mkobj.py writes the matching metadata. */
#include "common.h"

#define PASTE_(a, b) a##b
#define PASTE(a, b) PASTE_(a, b)
#define FN(x) PASTE(CHAIN, x)

/* With BFC_TEST_BAD_PROGRAM, a map value is written without a NULL check:
 * the verifier must refuse the program (bad-object tests). */
#ifdef BFC_TEST_BAD_PROGRAM
#define BAD_PROGRAM_ACCESS()                                                   \
  do {                                                                         \
    __u32 zero = 0;                                                            \
    __u8 *member = bpf_map_lookup_elem(&FN(_set0), &zero);                     \
    *member = 1;                                                               \
  } while (0)
#else
#define BAD_PROGRAM_ACCESS() do {} while (0)
#endif

#if defined(HOOK_XDP)
#define SECTION "xdp"
#define CTX struct xdp_md
#define L3_OFF 14
#define RET_ACCEPT 2
#define RET_DROP 1
#elif defined(HOOK_TC_INGRESS) || defined(HOOK_TC_EGRESS)
#define SECTION "tc"
#define CTX struct __sk_buff
#define L3_OFF 14
#define RET_ACCEPT 0
#define RET_DROP 2
#elif defined(HOOK_CGSKB_INGRESS)
#define SECTION "cgroup_skb/ingress"
#define CTX struct __sk_buff
#define L3_OFF 0
#define RET_ACCEPT 1
#define RET_DROP 0
#elif defined(HOOK_CGSKB_EGRESS)
#define SECTION "cgroup_skb/egress"
#define CTX struct __sk_buff
#define L3_OFF 0
#define RET_ACCEPT 1
#define RET_DROP 0
#elif defined(HOOK_NF)
#define SECTION "netfilter"
#define CTX struct bpf_nf_ctx
#define L3_OFF 0
#define RET_ACCEPT 1
#define RET_DROP 0
#elif defined(HOOK_CONNECT4)
#define SECTION "cgroup/connect4"
#define CTX struct bpf_sock_addr
#define SOCK_ADDR 1
#define RET_ACCEPT 1
#define RET_DROP 0
#else
#error "define one HOOK_*"
#endif

#define N_RULES 3

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, N_RULES + 2);
  __type(key, __u32);
  __type(value, struct bfc_counter);
} FN(_counters) SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 1 << 16);
} FN(_log) SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 16);
  __type(key, __u32);
  __type(value, __u8);
} FN(_set0) SEC(".maps");

static __always_inline void FN(_count)(__u32 index, __u64 bytes) {
  struct bfc_counter *c = bpf_map_lookup_elem(&FN(_counters), &index);
  if (c) {
    c->packets += 1;
    c->bytes += bytes;
  }
}

#ifdef SOCK_ADDR

static __always_inline void FN(_log_event)(CTX *ctx, __u32 rule, __u8 verdict) {
  struct bfc_log_event *e = bpf_ringbuf_reserve(&FN(_log), sizeof(*e), 0);
  if (!e)
    return;
  __builtin_memset(e, 0, sizeof(*e));
  e->timestamp_ns = bpf_ktime_get_ns();
  e->rule = rule;
  e->kind = BFC_LOG_SOCK_ADDR;
  e->verdict = verdict;
  e->l3_proto = 0x0800;
  e->l4_proto = ctx->protocol;
  e->pid = bpf_get_current_pid_tgid() >> 32;
  bpf_get_current_comm(e->comm, sizeof(e->comm));
  __u32 daddr = ctx->user_ip4;
  __builtin_memcpy(e->daddr, &daddr, 4);
  e->dport = bpf_ntohs(ctx->user_port);
  bpf_ringbuf_submit(e, 0);
}

SEC(SECTION)
int CHAIN(CTX *ctx) {
  BAD_PROGRAM_ACCESS();
  __u32 daddr = ctx->user_ip4;
  if (bpf_map_lookup_elem(&FN(_set0), &daddr)) {
    FN(_count)(0, 0);
    FN(_log_event)(ctx, 0, BFC_VERDICT_DROP);
    return RET_DROP;
  }
  if (bpf_ntohs(ctx->user_port) == PORT) {
    FN(_count)(1, 0);
    return RET_DROP;
  }
  FN(_count)(N_RULES, 0);
  return RET_ACCEPT;
}

#else /* packet hooks */

#if defined(HOOK_XDP)
static __always_inline int FN(_load)(CTX *ctx, __u32 off, void *buf,
                                     __u32 len) {
  return bpf_xdp_load_bytes(ctx, off, buf, len);
}
static __always_inline __u32 FN(_len)(CTX *ctx) {
  return ctx->data_end - ctx->data;
}
static __always_inline __u32 FN(_iface)(CTX *ctx) {
  return ctx->ingress_ifindex;
}
static __always_inline int FN(_is_ipv4)(CTX *ctx) {
  __u16 type;
  return FN(_load)(ctx, 12, &type, 2) == 0 && type == bpf_htons(0x0800);
}
#elif defined(HOOK_NF)
static __always_inline int FN(_load)(CTX *ctx, __u32 off, void *buf,
                                     __u32 len) {
  struct bpf_dynptr ptr;
  if (bpf_dynptr_from_skb(ctx->skb, 0, &ptr))
    return -1;
  return bpf_dynptr_read(buf, len, &ptr, off, 0);
}
static __always_inline __u32 FN(_len)(CTX *ctx) { return ctx->skb->len; }
static __always_inline __u32 FN(_iface)(CTX *ctx) { return 0; }
static __always_inline int FN(_is_ipv4)(CTX *ctx) {
  return ctx->state->pf == 2;
}
#else /* sk_buff hooks */
static __always_inline int FN(_load)(CTX *ctx, __u32 off, void *buf,
                                     __u32 len) {
  return bpf_skb_load_bytes(ctx, off, buf, len);
}
static __always_inline __u32 FN(_len)(CTX *ctx) { return ctx->len; }
static __always_inline __u32 FN(_iface)(CTX *ctx) { return ctx->ifindex; }
static __always_inline int FN(_is_ipv4)(CTX *ctx) {
#if L3_OFF == 14
  __u16 type;
  return FN(_load)(ctx, 12, &type, 2) == 0 && type == bpf_htons(0x0800);
#else
  return ctx->protocol == bpf_htons(0x0800);
#endif
}
#endif

static __always_inline void FN(_log_event)(CTX *ctx, __u32 rule, __u8 verdict,
                                           __u32 len, __u8 proto, __u32 l4off) {
  struct bfc_log_event *e = bpf_ringbuf_reserve(&FN(_log), sizeof(*e), 0);
  if (!e)
    return;
  __builtin_memset(e, 0, sizeof(*e));
  e->timestamp_ns = bpf_ktime_get_ns();
  e->rule = rule;
  e->kind = BFC_LOG_PACKET;
  e->verdict = verdict;
  e->l3_proto = 0x0800;
  e->pkt_len = len;
  e->l4_proto = proto;
#if L3_OFF == 14
  if (FN(_load)(ctx, 0, e->l2, 14) == 0)
    e->l2_len = 14;
#endif
  if (FN(_load)(ctx, L3_OFF, e->l3, 20) == 0)
    e->l3_len = 20;
  if (FN(_load)(ctx, l4off, e->l4, 8) == 0)
    e->l4_len = 8;
  bpf_ringbuf_submit(e, 0);
}

SEC(SECTION)
int CHAIN(CTX *ctx) {
  BAD_PROGRAM_ACCESS();
  __u32 len = FN(_len)(ctx);
  struct iphdr ip;
  if (FN(_is_ipv4)(ctx) && FN(_load)(ctx, L3_OFF, &ip, sizeof(ip)) == 0) {
    __u32 l4off = L3_OFF + (ip.ihl & 0xf) * 4;
    if (bpf_map_lookup_elem(&FN(_set0), &ip.saddr)) {
      FN(_count)(0, len);
      FN(_log_event)(ctx, 0, BFC_VERDICT_DROP, len, ip.protocol, l4off);
      return RET_DROP;
    }
    if (ip.protocol == IPPROTO_UDP
#if !defined(HOOK_NF)
        && FN(_iface)(ctx) == bfc_host_slots[SLOT]
#endif
    ) {
      struct udphdr udp;
      if (FN(_load)(ctx, l4off, &udp, sizeof(udp)) == 0 &&
          udp.dest == bpf_htons(PORT)) {
        FN(_count)(1, len);
        return RET_DROP;
      }
    }
    if (ip.protocol == IPPROTO_ICMP) {
      FN(_count)(2, len);
      return RET_ACCEPT;
    }
  }
  FN(_count)(N_RULES, len);
  return RET_ACCEPT;
}

#endif

#undef SECTION
#undef CTX
#undef L3_OFF
#undef RET_ACCEPT
#undef RET_DROP
#undef SOCK_ADDR
#undef N_RULES
#undef CHAIN
#undef PORT
#undef SLOT
#undef HOOK_XDP
#undef HOOK_TC_INGRESS
#undef HOOK_TC_EGRESS
#undef HOOK_CGSKB_INGRESS
#undef HOOK_CGSKB_EGRESS
#undef HOOK_NF
#undef HOOK_CONNECT4
