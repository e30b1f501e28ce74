/* The contract between bfc (which writes .bpf.o files) and bfload (which
 * loads them). Plain C so BPF-side code, bfc and bfload can all include it.
 * docs/object-format.md describes the whole format; bump
 * BFC_OBJECT_FORMAT_VERSION on any incompatible change. */
#ifndef BFC_RUNTIME_OBJECT_FORMAT_H
#define BFC_RUNTIME_OBJECT_FORMAT_H

#include <stdint.h>

/* Version of the metadata and of everything below. bfload refuses an object
 * whose major version it does not know. Version 2: classifier tables may
 * mirror named sets (`mirrors`, values struct bfc_table_value); an object
 * without mirrors is written as version 1, which older loaders read. */
#define BFC_OBJECT_FORMAT_VERSION 2
#define BFC_OBJECT_FORMAT_VERSION_MIRRORS 2

/* ELF section holding the metadata: a NUL-terminated JSON document. */
#define BFC_META_SECTION ".bfc.meta"

/* ELF section holding the entries of the classifier tables (records
 * `u32 table_index, u32 prefixlen, u32 rule, key bytes`, little endian; see
 * docs/object-format.md). A table map's value is the u32 rule index; in a
 * table that mirrors named sets, a struct bfc_table_value. */
#define BFC_TABLES_SECTION ".bfc.tables"

/* The value of a table that mirrors named sets: the rule the program uses,
 * and the rule of the table's own entry for the key (BFC_TABLE_NO_RULE when
 * it has none), which comes back when the key leaves every mirrored set. */
struct bfc_table_value {
  uint32_t rule;
  uint32_t base;
};
#define BFC_TABLE_NO_RULE 0xffffffffu

/* Counters: one BPF_MAP_TYPE_PERCPU_ARRAY per chain with
 * (number of rules + 2) entries of struct bfc_counter: entry i is rule i,
 * then the policy counter, then the error counter (packets the program could
 * not parse safely, e.g. a truncated header it had to read). */
struct bfc_counter {
  uint64_t packets;
  uint64_t bytes;
};
#define BFC_COUNTER_POLICY(n_rules) (n_rules)
#define BFC_COUNTER_ERRORS(n_rules) ((n_rules) + 1)

/* Log events, written to one BPF_MAP_TYPE_RINGBUF per chain. The headers
 * requested with `log link,internet,transport` follow the fixed part, in that
 * order, each as many bytes as its length field says (0 when absent). */
#define BFC_LOG_MAX_L2 14
#define BFC_LOG_MAX_L3 40
#define BFC_LOG_MAX_L4 20

enum bfc_log_kind {
  BFC_LOG_PACKET = 1,
  BFC_LOG_SOCK_ADDR = 2,
};

struct bfc_log_event {
  uint64_t timestamp_ns; /* bpf_ktime_get_ns() */
  uint32_t rule;         /* rule index in the chain */
  uint8_t kind;          /* enum bfc_log_kind */
  uint8_t verdict;       /* language verdict, enum bfc_verdict */
  uint16_t l3_proto;     /* EtherType, host order */
  uint32_t pkt_len;      /* packet: full length; sock_addr: 0 */
  uint8_t l4_proto;
  uint8_t l2_len;
  uint8_t l3_len;
  uint8_t l4_len;
  /* sock_addr events: pid and comm of the caller, destination address/port */
  uint32_t pid;
  char comm[16];
  uint8_t daddr[16];
  uint16_t dport; /* host order */
  uint16_t pad;
  uint8_t l2[BFC_LOG_MAX_L2];
  uint8_t l3[BFC_LOG_MAX_L3];
  uint8_t l4[BFC_LOG_MAX_L4];
  uint8_t pad2[2];
};

/* Language verdicts as stored in metadata and log events. */
enum bfc_verdict {
  BFC_VERDICT_ACCEPT = 0,
  BFC_VERDICT_DROP = 1,
  BFC_VERDICT_CONTINUE = 2,
  BFC_VERDICT_NEXT = 3,
  BFC_VERDICT_REDIRECT = 4,
};

/* Host slots: values only the host knows (interface name -> ifindex). They
 * live in one global `uint32_t bfc_host_slots[N]` in the `.rodata` map, which
 * bfload fills before loading (found through the object's BTF). */
#define BFC_HOST_SLOTS_SYMBOL "bfc_host_slots"

/* Pin layout under the bpffs root (default /sys/fs/bpf):
 *   <root>/bfc/                 lock file target (flock on the directory)
 *   <root>/bfc/<chain>/prog     the program
 *   <root>/bfc/<chain>/link     the attachment, when attached (netfilter:
 *                               link_ip4 and link_ip6, one per family)
 *   <root>/bfc/<chain>/<map>    every map of the chain
 *   <root>/bfc/<chain>/meta     a map holding the object's metadata
 *   <root>/bfc/@owner           pid of the bfload holding the lock
 * docs/object-format.md has the details. */
#define BFC_PIN_DIR "bfc"

#endif /* BFC_RUNTIME_OBJECT_FORMAT_H */
