/*
 * pbft_view_change.h — exercise 08: PBFT's view change decisions (lesson 08-pbft).
 *
 * You write these two functions in pbft_view_change.c; this header is their contract (do not
 * edit it). The grader checks them on known answers, then puts them inside the real PBFT
 * engine (src/consensus/pbft_view.c asks pbft_view_rules, pbft.h) and runs simulated clusters
 * whose leader crashes, falls silent or lags behind.
 *
 * A view is one attempt at the next block, with its own leader, (view + highest) mod n. When
 * the leader fails, each sealer's view timer fires and the sealers ask for the next view with
 * ViewChangeReq(toView); once n - f of them ask for the same view, they move to it and its
 * leader takes over (fisco-2x-facts §2.5). The words:
 *   n, f       sealers and f = (n - 1) / 3; the quorum is n - f (exercise 07)
 *   view       the view a sealer is in (in->view)
 *   toView     the view it asked for last (in->to_view; equal to view if it asked for none)
 *   changeCycle  how many times its view timer fired at this height (in->change_cycle)
 *   an ask     one sealer's latest ViewChangeReq: the view it wants and its highest block
 *
 * The types, from src/consensus/pbft.h:
 *   pbft_view_ask_t       { sealer, view, height }
 *   pbft_view_input_t     { n, me, tip, view, to_view, change_cycle, timed_out, asks, nasks }
 *                         asks holds at most one ask per sealer, every sealer index < n, and
 *                         may hold my own ask too (sealer == me); tip is my highest block
 *   pbft_view_decision_t  { to_view, change_cycle, ask, switch_view }
 */
#ifndef BL_EX08_PBFT_VIEW_CHANGE_H
#define BL_EX08_PBFT_VIEW_CHANGE_H

#include <stdbool.h>
#include <stdint.h>

#include "consensus/pbft.h"

/* How long the view timer waits after it fired change_cycle times: 3000 ms x 1.5^cycle
 * (3 x emptyBlockGenTime, growing by half each time), where a cycle above 20 counts as 20
 * (FISCO's kMaxChangeCycle). Whole milliseconds, rounded down: 3000, 4500, 6750, 10125,
 * 15187, ... (an answer within 1/10000 of that passes: rounding down at every step is fine). */
uint64_t ex_view_timeout_ms(unsigned change_cycle);

/* Decide what to do. Fill every field of *out; start from "nothing to do":
 *     out->to_view = in->to_view, out->change_cycle = in->change_cycle, no ask, no switch.
 * Then, in this order:
 *  1. in->timed_out (my view timer fired): ask for the view after the last one I asked for,
 *     to_view = in->to_view + 1, and count the firing: change_cycle + 1, but never above 20.
 *  2. otherwise (a ViewChangeReq arrived), the fast view change: look at the asks of the OTHER
 *     sealers (sealer != me) that are not behind me (height >= tip) and want a view above
 *     in->to_view. If MORE than f sealers do, one of them at least is honest, so the view is
 *     really moving on: ask for the lowest of the views they want (to_view = that view).
 *  3. in both cases, the switch: if to_view (as it is now) is above in->view and at least
 *     n - f asks (mine included) that are not behind me (height >= tip) want exactly
 *     to_view, set switch_view: to_view becomes my view.
 * ask = true means "send ViewChangeReq(to_view) to every sealer and re-arm the timer". */
void ex_view_decide(const pbft_view_input_t *in, pbft_view_decision_t *out);

#endif
