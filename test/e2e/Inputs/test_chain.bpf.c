/* One or two chains from chain.h, chosen with -D on the command line:
 * CHAIN1/HOOK1/PORT1 and optionally CHAIN2/HOOK2/PORT2 (mkobj.py). */
#include "common.h"

#define CHAIN CHAIN1
#define PORT PORT1
#define SLOT 0
#if HOOK1 == 1
#define HOOK_XDP
#elif HOOK1 == 2
#define HOOK_TC_INGRESS
#elif HOOK1 == 3
#define HOOK_TC_EGRESS
#elif HOOK1 == 4
#define HOOK_CGSKB_INGRESS
#elif HOOK1 == 5
#define HOOK_CGSKB_EGRESS
#elif HOOK1 == 6
#define HOOK_NF
#elif HOOK1 == 7
#define HOOK_CONNECT4
#endif
#include "chain.h"

#ifdef CHAIN2
#define CHAIN CHAIN2
#define PORT PORT2
#define SLOT 0
#if HOOK2 == 1
#define HOOK_XDP
#elif HOOK2 == 2
#define HOOK_TC_INGRESS
#elif HOOK2 == 3
#define HOOK_TC_EGRESS
#elif HOOK2 == 4
#define HOOK_CGSKB_INGRESS
#elif HOOK2 == 5
#define HOOK_CGSKB_EGRESS
#elif HOOK2 == 6
#define HOOK_NF
#elif HOOK2 == 7
#define HOOK_CONNECT4
#endif
#include "chain.h"
#endif
