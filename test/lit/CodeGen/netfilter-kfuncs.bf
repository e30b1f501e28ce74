# Netfilter programs read packets through bpf_dynptr_from_skb and
# bpf_dynptr_slice (kfuncs in .ksyms, resolved by libbpf against the
# kernel's BTF) and the hook state through CO-RE accesses.
# RUN: %bfc --emit=llvm -O0 %s | grep -v "^!" | FileCheck %s
# RUN: %bfc --emit=obj %s -o %t.o
# RUN: llvm-readelf --relocations %t.o | FileCheck %s --check-prefix=RELOC
chain nf BF_HOOK_NF_LOCAL_OUT{priorities=1-2} ACCEPT
  rule meta.iface eq 3 meta.mark eq 1 tcp.dport eq 22 DROP

# CO-RE accesses, as LLVM's BPF passes leave them: one relocation global per
# field (type, local offset, access string). The types are libbpf flavors
# (`___bfc...`) of the kernel's: the hook state's family (pf, member 1), the
# output device on LOCAL_OUT (out, member 3) and its ifindex, skb->len and
# skb->mark.
# CHECK-DAG: @"llvm.nf_hook_state___bfc00000000:0:1$0:1" = external global i64
# CHECK-DAG: @"llvm.nf_hook_state___bfc00000000:0:16$0:3" = external global i64
# CHECK-DAG: @"llvm.net_device___bfc00000000:0:0$0:0" = external global i64
# CHECK-DAG: @"llvm.sk_buff___bfc00000000:0:0$0:0" = external global i64
# CHECK-DAG: @"llvm.sk_buff___bfc00000000:0:4$0:1" = external global i64
# CHECK: define dso_local i32 @nf(ptr %ctx) {{.*}}section "netfilter"
# CHECK: load i64, ptr @"llvm.nf_hook_state___bfc00000000:0:1$0:1"
# The kfuncs are extern functions with debug info (for their BTF).
# CHECK-DAG: declare !dbg {{.*}} i32 @bpf_dynptr_from_skb(ptr, i64, ptr) section ".ksyms"
# CHECK-DAG: declare !dbg {{.*}} ptr @bpf_dynptr_slice(ptr, i32, ptr, i32) section ".ksyms"

# RELOC-DAG: R_BPF_64_32 {{.*}} bpf_dynptr_from_skb
# RELOC-DAG: R_BPF_64_32 {{.*}} bpf_dynptr_slice
