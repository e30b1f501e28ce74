# Netfilter programs read packets through bpf_dynptr_from_skb and
# bpf_dynptr_slice (kfuncs in .ksyms, resolved by libbpf against the
# kernel's BTF) and the hook state through CO-RE accesses.
# RUN: %bfc --emit=llvm -O0 %s | FileCheck %s
# RUN: %bfc --emit=obj %s -o %t.o
# RUN: llvm-readelf --relocations %t.o | FileCheck %s --check-prefix=RELOC
chain nf BF_HOOK_NF_LOCAL_OUT{priorities=1-2} ACCEPT
  rule meta.iface eq 3 meta.mark eq 1 tcp.dport eq 22 DROP

# CHECK: declare !dbg {{.*}} i32 @bpf_dynptr_from_skb(ptr, i64, ptr) {{.*}}section ".ksyms"
# CHECK: declare !dbg {{.*}} ptr @bpf_dynptr_slice(ptr, i32, ptr, i32) {{.*}}section ".ksyms"
# CHECK: define dso_local i32 @nf(ptr %ctx) {{.*}}section "netfilter"
# The protocol family of the hook state, by CO-RE.
# CHECK: call ptr @llvm.preserve.struct.access.index.p0.p0(ptr elementtype(%struct.nf_hook_state) {{%[0-9]+}}, i32 1, i32 1)
# LOCAL_OUT: the output device (state->out, member 3).
# CHECK: call ptr @llvm.preserve.struct.access.index.p0.p0(ptr elementtype(%struct.nf_hook_state) {{%[0-9]+}}, i32 3, i32 3)
# CHECK: call ptr @llvm.preserve.struct.access.index.p0.p0(ptr elementtype(%struct.net_device)
# skb->mark, by CO-RE.
# CHECK: call ptr @llvm.preserve.struct.access.index.p0.p0(ptr elementtype(%struct.sk_buff) {{%[0-9]+}}, i32 1, i32 1)

# RELOC-DAG: R_BPF_64_32 {{.*}} bpf_dynptr_from_skb
# RELOC-DAG: R_BPF_64_32 {{.*}} bpf_dynptr_slice
