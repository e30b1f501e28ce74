# `every`: one clock reading per event, and the rate-limit window moves only
# once the ring buffer gave room for the event (a full ring buffer must not
# silence the rule for another period).
# RUN: %bfc --emit=llvm -O0 %s | grep -v "^!" | FileCheck %s
chain c BF_HOOK_XDP ACCEPT
  rule tcp.dport eq 22 log every 1s counter DROP

# CHECK: define dso_local i64 @c_matched(
# CHECK: log:
# CHECK:   [[NOW:%[0-9]+]] = call i64 inttoptr (i64 5 to ptr)()
# CHECK-NOT: inttoptr (i64 5 to ptr)
# CHECK: log.limited:
# CHECK:   [[ENTRY:%[0-9]+]] = call ptr inttoptr (i64 1 to ptr)(ptr @c_logrl, ptr %key)
# CHECK-NOT: store i64 [[NOW]], ptr [[ENTRY]]
# CHECK: log.reserve:
# CHECK:   %last = phi ptr [ null, %log ], [ [[ENTRY]], %log.rate ]
# CHECK:   [[EVENT:%[0-9]+]] = call ptr inttoptr (i64 131 to ptr)(ptr @c_log
# CHECK:   icmp eq ptr [[EVENT]], null
# CHECK: log.fill:
# CHECK: log.window:
# CHECK:   store i64 [[NOW]], ptr %last
# CHECK: log.moved:
# CHECK:   [[TS:%[0-9]+]] = getelementptr inbounds i8, ptr [[EVENT]], i64 0
# CHECK:   store i64 [[NOW]], ptr [[TS]]
# CHECK-NOT: inttoptr (i64 5 to ptr)
# CHECK: call void inttoptr (i64 132 to ptr)
