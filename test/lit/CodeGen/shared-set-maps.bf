# Hash sets of one key size share a map (docs/codegen.md, "Set maps"): the
# three 4-byte sets (ip4.saddr and ip4.daddr) use one HASH map whose key
# starts with the set's u32 id. The only set of its layout keeps a map of
# its own, keyed as before, and so do LPM sets while the chain has few set
# maps (Run/shared-set-maps.test has LPM sets sharing a trie).
# RUN: %bfc --emit=obj %s -o %t.o
# RUN: llvm-readelf --symbols %t.o | FileCheck %s --check-prefix=SYMBOLS
# RUN: %bfc --emit=llvm %s | grep -v "^!" | FileCheck %s --check-prefix=IR
# RUN: llvm-objdump -dr --no-show-raw-insn %t.o | FileCheck %s --check-prefix=ASM
# RUN: llvm-objcopy --dump-section=.bfc.meta=%t.json %t.o
# RUN: python3 -c "import json,sys; [print(s['name'], s['map'], s.get('map_id'), s['max_entries']) for s in json.loads(open(sys.argv[1]).read().rstrip(chr(0)))['chains'][0]['sets']]" %t.json | FileCheck %s --check-prefix=META
chain fw BF_HOOK_XDP ACCEPT
  set a (ip4.saddr) in { 10.0.0.1 }
  set b (ip4.daddr) in { 10.0.0.2; 10.0.0.3 }
  set c (ip4.saddr) in { 10.0.0.4 }
  set nets (ip6.snet) in { 2001:db8::/32 }
  set nets2 (ip6.dnet) in { 2001:db8:1::/48 }
  set alone (ip4.saddr, tcp.dport) in { 10.0.0.5, 22 }
  rule (ip4.saddr) in a counter DROP
  rule (ip4.daddr) in b counter DROP
  rule (ip4.saddr) in c counter DROP
  rule (ip6.snet) in nets counter DROP
  rule (ip6.dnet) in nets2 counter DROP
  rule (ip4.saddr, tcp.dport) in alone counter DROP

# SYMBOLS-DAG: OBJECT GLOBAL DEFAULT {{.*}} fw_setmap0
# SYMBOLS-DAG: OBJECT GLOBAL DEFAULT {{.*}} fw_set3
# SYMBOLS-DAG: OBJECT GLOBAL DEFAULT {{.*}} fw_set4
# SYMBOLS-DAG: OBJECT GLOBAL DEFAULT {{.*}} fw_set5
# SYMBOLS-NOT: fw_set{{[0-2]$}}
# SYMBOLS-NOT: fw_setmap1

# IR: store i32 0, ptr %setkey
# IR: call ptr inttoptr (i64 1 to ptr)(ptr nonnull @fw_setmap0, ptr nonnull %setkey)
# IR: store i32 1, ptr %setkey
# IR: call ptr inttoptr (i64 1 to ptr)(ptr nonnull @fw_setmap0, ptr nonnull %setkey)
# IR: store i32 2, ptr %setkey
# IR: call ptr inttoptr (i64 1 to ptr)(ptr nonnull @fw_setmap0, ptr nonnull %setkey)
# IR: store i32 128, ptr %setkey
# IR-NOT: store i32 3, ptr
# IR: call ptr inttoptr (i64 1 to ptr)(ptr nonnull @fw_set3, ptr nonnull %setkey)
# IR: call ptr inttoptr (i64 1 to ptr)(ptr nonnull @fw_set4, ptr nonnull %setkey)
# IR-NOT: store i32 5, ptr %setkey
# IR: call ptr inttoptr (i64 1 to ptr)(ptr nonnull @fw_set5, ptr nonnull %setkey)

# The id is stored in the key's first word, in the one key buffer of the
# function.
# ASM: w1 = 0x1
# ASM-NEXT: *(u32 *)(r10 - [[KEY:0x[0-9a-f]+]]) = r1
# ASM-NEXT: r2 = r10
# ASM-NEXT: r2 += -[[KEY]]
# ASM-NEXT: r1 = 0x0 ll
# ASM-NEXT: R_BPF_64_64 fw_setmap0
# ASM: w1 = 0x2
# ASM-NEXT: *(u32 *)(r10 - [[KEY]]) = r1
# ASM-NEXT: r2 = r10
# ASM-NEXT: r2 += -[[KEY]]
# ASM-NEXT: r1 = 0x0 ll
# ASM-NEXT: R_BPF_64_64 fw_setmap0

# Each set keeps its own capacity; a shared map holds the sum.
# META: a fw_setmap0 0 16
# META-NEXT: b fw_setmap0 1 16
# META-NEXT: c fw_setmap0 2 16
# META-NEXT: nets fw_set3 None 16
# META-NEXT: nets2 fw_set4 None 16
# META-NEXT: alone fw_set5 None 16
# The shared map holds 3 x 16 entries of 8-byte keys (u32 id + address).
# RUN: bpftool btf dump file %t.o | FileCheck %s --check-prefix=BTF
# BTF-DAG: ARRAY '(anon)' type_id={{[0-9]+}} index_type_id={{[0-9]+}} nr_elems=48{{$}}
