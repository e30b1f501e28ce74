# Maps a chain needs: counters, the log ring buffer and `every` state, one
# map per set (HASH for exact keys, LPM_TRIE with BPF_F_NO_PREALLOC for
# networks), and the host slots in .rodata. Checked in the object's BTF and
# symbols.
# RUN: %bfc --emit=obj %s -o %t.o
# RUN: llvm-readelf --sections %t.o | FileCheck %s --check-prefix=SECTIONS
# RUN: llvm-readelf --symbols %t.o | FileCheck %s --check-prefix=SYMBOLS
# RUN: bpftool btf dump file %t.o | FileCheck %s --check-prefix=BTF
# RUN: %bfc --emit=llvm %s | grep -v "^!" | FileCheck %s --check-prefix=IR
chain fw BF_HOOK_TC_INGRESS{ifindex=1} ACCEPT
  set blocked (ip4.saddr, ip4.proto) in { 192.168.1.1, tcp; 192.168.1.2, udp }
  set nets (ip6.snet) in { 2001:db8::/32 }
  rule (ip4.saddr, ip4.proto) in blocked counter DROP
  rule (ip6.snet) in nets log every 2s counter DROP
  rule meta.iface eq eth9 REDIRECT eth9 out

# SECTIONS-DAG: tc
# SECTIONS-DAG: .maps
# SECTIONS-DAG: .rodata
# SECTIONS-DAG: license
# SECTIONS-DAG: .bfc.meta
# SECTIONS-DAG: .bfc.sets
# SECTIONS-DAG: .BTF
# SECTIONS-DAG: .BTF.ext
# SECTIONS-NOT: .debug_info

# SYMBOLS-DAG: FUNC GLOBAL DEFAULT {{.*}} fw{{$}}
# SYMBOLS-DAG: OBJECT GLOBAL DEFAULT {{.*}} fw_counters
# SYMBOLS-DAG: OBJECT GLOBAL DEFAULT {{.*}} fw_log{{$}}
# SYMBOLS-DAG: OBJECT GLOBAL DEFAULT {{.*}} fw_logrl
# SYMBOLS-DAG: OBJECT GLOBAL DEFAULT {{.*}} fw_set0
# SYMBOLS-DAG: OBJECT GLOBAL DEFAULT {{.*}} fw_set1
# SYMBOLS-DAG: OBJECT GLOBAL DEFAULT {{.*}} bfc_host_slots

# Map types are libbpf's __uint encoding: a pointer to an int array whose
# length is the value (6 PERCPU_ARRAY, 27 RINGBUF, 2 ARRAY, 1 HASH,
# 11 LPM_TRIE).
# BTF-DAG: ARRAY '(anon)' type_id={{[0-9]+}} index_type_id={{[0-9]+}} nr_elems=6{{$}}
# BTF-DAG: ARRAY '(anon)' type_id={{[0-9]+}} index_type_id={{[0-9]+}} nr_elems=27{{$}}
# BTF-DAG: ARRAY '(anon)' type_id={{[0-9]+}} index_type_id={{[0-9]+}} nr_elems=11{{$}}
# BTF-DAG: STRUCT 'bfc_counter' size=16 vlen=2
# BTF-DAG: FUNC 'fw' type_id={{[0-9]+}} linkage=global
# BTF-DAG: 'ctx' type_id=
# BTF-DAG: VAR 'bfc_host_slots' type_id={{[0-9]+}}, linkage=global
# BTF-DAG: DATASEC '.maps' size=0 vlen=5

# Set lookups: the key is built on the stack, then bpf_map_lookup_elem (1).
# IR-DAG: @fw_set0 = dso_local global {{.*}} section ".maps"
# IR-DAG: @bfc_host_slots = dso_local constant [1 x i32] zeroinitializer, section ".rodata"
# IR: define dso_local i32 @fw(
# IR: call ptr inttoptr (i64 1 to ptr)(ptr nonnull @fw_set0
# IR: call ptr inttoptr (i64 1 to ptr)(ptr nonnull @fw_set1
# The ring buffer event (bpf_ringbuf_reserve, 131) of the logging rule, and
# its rate limit state in fw_logrl.
# IR: call ptr inttoptr (i64 1 to ptr)(ptr nonnull @fw_logrl
# IR: call ptr inttoptr (i64 131 to ptr)(ptr nonnull @fw_log
# The interface and redirect target come from the host slot (volatile:
# bfload fills it in), then bpf_redirect (23).
# IR: load volatile i32, ptr @bfc_host_slots
# IR: call i64 inttoptr (i64 23 to ptr)
