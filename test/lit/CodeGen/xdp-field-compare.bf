# A field compare, a counter and the XDP return codes, in LLVM IR (-O0 keeps
# one block per test) and in BPF assembly.
# RUN: %bfc --emit=llvm -O0 %s | grep -v "^!" | FileCheck %s
# RUN: %bfc --emit=asm %s | FileCheck %s --check-prefix=ASM
chain c BF_HOOK_XDP ACCEPT
  rule ip4.saddr eq 10.0.0.1 counter DROP

# The program: a function named after the chain, in section "xdp", and its
# maps and metadata.
# CHECK: @c_counters = dso_local global { ptr, ptr, ptr, ptr } zeroinitializer, section ".maps"
# CHECK: @c_rule_actions = dso_local constant [3 x i16] [i16 9, i16 8, i16 10], section ".rodata"
# CHECK: @_license = dso_local constant [4 x i8] c"GPL\00", section "license"
# CHECK: @bfc_meta = dso_local constant {{.*}}\22program\22: \22c\22{{.*}} section ".bfc.meta"
# CHECK: @llvm.compiler.used = {{.*}}@c_counters, ptr @_license, ptr @bfc_meta
# CHECK: define dso_local i32 @c(ptr %ctx) {{.*}}section "xdp"

# Headers are read once; the rule compares the saved source address with
# 10.0.0.1 in network byte order, loaded little-endian (0x0100000a).
# CHECK: errors.counted:
# CHECK:   [[ADDR:%[0-9]+]] = trunc i64 {{.*}} to i32
# CHECK:   [[EQ:%[0-9]+]] = icmp eq i32 [[ADDR]], 16777226
# CHECK:   br i1 [[EQ]], label %holds, label %rule0.next
# The rule's counter (slot 0) in the shared epilogue, then its verdict.
# CHECK: holds:
# CHECK:   [[R:%[0-9]+]] = call i64 @c_matched(ptr %ctx, i32 0)
# CHECK:   [[CODE:%[0-9]+]] = trunc i64 [[R]] to i32
# CHECK:   ret i32 [[CODE]]
# The policy: its counter (slot 1 = number of rules) in the epilogue,
# inlined (every packet no rule decided passes there once), then XDP_PASS.
# CHECK: rule0.next:
# CHECK-NOT: call i64 @c_matched
# CHECK:   store i64 1, ptr %key.i
# CHECK:   call ptr inttoptr (i64 1 to ptr)(ptr @c_counters, ptr %key.i)
# CHECK:   ret i32 2
# The epilogue: rule 0 counts and drops (8 | 1), the policy counts and
# accepts (8 | 0), the error entry counts and continues (8 | 2).
# CHECK: define dso_local i64 @c_matched(ptr %ctx, i32 %rule) {{.*}} section ".text"
# CHECK:   icmp ult i32 %rule, 3
# CHECK: count:
# CHECK:   call ptr inttoptr (i64 1 to ptr)(ptr @c_counters, ptr %key)

# ASM: .section xdp,"ax",@progbits
# ASM: c:
# ASM: call c_matched
# ASM: exit
# ASM: c_matched:
# ASM: call 1
# ASM: exit
# ASM: .section .maps,"aw",@progbits
# ASM: c_counters:
