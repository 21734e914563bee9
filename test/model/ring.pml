/*
 * The ring protocol (exo/ring.h) as a Promela model for Spin: SQ/CQ indices, the CQ
 * reservation (back-pressure), the GETEVENTS waiter and the SQPOLL need-wakeup handshake.
 * Memory is x86-TSO: each core's plain stores to the ring go through a FIFO store buffer
 * that drains at any time (proctype memory), and fully before a fence or a locked
 * instruction, so a missing fence shows up as a lost wakeup. run_spin.sh builds each
 * configuration below; README.md says what each test expects.
 *
 * Configuration (-D to spin):
 *   TRAP               no poller: ring_enter(to_submit, min_complete, GETEVENTS) consumes
 *                      the SQ (default: SQPOLL, a kernel poller consumes it)
 *   APP_WAITS          SQPOLL: the app may also wait in ring_enter(GETEVENTS), as
 *                      exo_ring_wait_cqe does (default: it only polls the CQ, no traps
 *                      but SQ_WAKEUP, so nothing hides a lost wakeup)
 *   PARK_ON_BUSY       SQPOLL: on back-pressure the poller sets NEED_WAKEUP and parks, as
 *                      rings/poll.c does (default: it keeps polling until a CQ slot frees)
 *   REAP_CHECKS_WAKEUP after freeing a CQ slot the app fences and checks NEED_WAKEUP, and
 *                      the poller re-checks for room after setting it (a fix for the above)
 *   LIVENESS           add the LTL claim  <> app_done  (run pan -a -f: weak fairness)
 *   SQ_N, CQ_N, NSUB   SQ and CQ entries, SQEs the app submits (ids 1..NSUB, NSUB <= 7)
 * Broken variants, each must make Spin report an error:
 *   NO_APP_FENCE       ring.c exo_ring_needs_wakeup without its fence
 *   NO_POLLER_FENCE    queue.c ringq_poller_park sets the flag with a plain store, no fence
 *   PARK_UNLOCKED      the poller parks without holding the lock the wake path takes
 *   NO_WAIT_RECHECK    GETEVENTS checks for CQEs, then sleeps without re-checking under the lock
 *   NO_CQ_RESERVE      the kernel takes SQEs without reserving a CQ slot for each
 *   HEAD_BEFORE_COPY   ringq_sq_take publishes sq_head before copying the SQE
 *
 * Each step names the code it stands for: rings/queue.c and userlib/ring.c (line numbers
 * as first written), and the callers that hold the ring lock around them: rings/poll.c
 * (poller_run, ring_poller_unpark), rings/enter.c (sys_ring_enter, ring_wait_arm),
 * rings/submit.c (ring_take, post, wake_waiters), userlib/ring_enter.c (submit).
 */

#ifndef SQ_N
#define SQ_N 2
#endif
#ifndef CQ_N
#define CQ_N 2
#endif
#ifndef NSUB
#define NSUB 4
#endif
#define ALL_IDS (((1 << NSUB) - 1) << 1) /* bits 1..NSUB */
#define SB_SIZE 4 /* store-buffer entries per core; a store to a full buffer stalls */

/* ---- The ring memory (exo_ring_hdr_t and the SQE/CQE arrays), shared with the app ----
 * An SQE/CQE is reduced to its user_data: the id the app gave it. */
byte m_sq_head; /* kernel writes (release), app reads (acquire) */
byte m_sq_tail; /* app writes (release), kernel reads (acquire) */
byte m_cq_head; /* app writes, kernel reads */
byte m_cq_tail; /* kernel writes, app reads */
bit m_need_wakeup; /* exo_ring_hdr_t.flags & EXO_RING_NEED_WAKEUP; kernel writes */
byte m_sqe[SQ_N];
byte m_cqe[CQ_N];

/* ---- Kernel-private state (ringq_t and the ring object): sequentially consistent, each
 * field read and written only under ring_lock (a locked RMW: drains the store buffer) ---- */
bit ring_lock;
byte k_sq_head; /* ringq_t.sq_head */
byte k_cq_tail; /* ringq_t.cq_tail */
byte k_inflight[CQ_N]; /* accepted SQEs whose CQE is not posted yet (async ops) */
byte k_n_inflight; /* in_flight: each holds a CQ slot reservation */
bit k_parked; /* SQPOLL: the poller sleeps until ring_enter(SQ_WAKEUP) */
bit k_waiting; /* a GETEVENTS caller sleeps ... */
byte k_wait_min; /* ... until cq_tail - cq_head >= k_wait_min */

/* ---- Test bookkeeping (the app's view) ---- */
byte done_bits; /* bit id: a CQE for id was read */
bit app_done; /* every id completed exactly once */

/* ---- x86-TSO store buffers: (location, value), oldest first ---- */
#define V_SQ_HEAD 0
#define V_SQ_TAIL 1
#define V_CQ_HEAD 2
#define V_CQ_TAIL 3
#define V_FLAGS 4
#define V_SQE 8 /* + slot */
#define V_CQE 16 /* + slot */
chan sb_app = [SB_SIZE] of { byte, byte }; /* the app's core (user mode and its traps) */
chan sb_poll = [SB_SIZE] of { byte, byte }; /* the poller's core */
chan sb_comp = [SB_SIZE] of { byte, byte }; /* the core that completes async ops */
hidden byte sv, sx; /* scratch, only inside atomic sequences */

inline mem_write(v, x) {
    if
    :: v == V_SQ_HEAD -> m_sq_head = x
    :: v == V_SQ_TAIL -> m_sq_tail = x
    :: v == V_CQ_HEAD -> m_cq_head = x
    :: v == V_CQ_TAIL -> m_cq_tail = x
    :: v == V_FLAGS -> m_need_wakeup = x
    :: v >= V_SQE && v < V_SQE + SQ_N -> m_sqe[v - V_SQE] = x
    :: v >= V_CQE && v < V_CQE + CQ_N -> m_cqe[v - V_CQE] = x
    fi
}

/* A plain or release store: on x86 both are a mov, which goes into the store buffer. */
#define ST(sb, v, x) sb!v,x

/* A full fence (mfence, or a lock-prefixed RMW): wait until the buffer has drained. Only
 * the owner adds to its buffer, so it stays empty until the owner's next store. */
#define FENCE(sb) empty(sb)

/* Drain inside an atomic sequence (a lock section nobody else can observe midway). */
inline drain_now(sb) {
    do
    :: sb?sv,sx -> mem_write(sv, sx)
    :: empty(sb) -> break
    od;
    sv = 0;
    sx = 0
}

/* The ring lock: taking it is a locked RMW (drains first); releasing it is a store that
 * follows every store made under it (TSO: FIFO), modelled as drain-then-release. */
inline lock(sb) {
    FENCE(sb);
    atomic { ring_lock == 0 -> ring_lock = 1 }
}
inline unlock(sb) {
    FENCE(sb);
    ring_lock = 0
}

/* The memory system: moves the oldest buffered store of a core to memory, at any time.
 * (sb_comp is drained inside the completer's atomic step, so it needs no option here.) */
active proctype memory() {
end_idle:
    do
    :: atomic { sb_app?sv,sx -> mem_write(sv, sx); sv = 0; sx = 0 }
    :: atomic { sb_poll?sv,sx -> mem_write(sv, sx); sv = 0; sx = 0 }
    od
}

/* ---- Kernel side. Callers hold ring_lock. ---- */

/* The CQ slot reservation (submit.c ring_take): take an SQE only if its CQE will fit,
 * counting the CQEs posted and not read (ringq_cq_used, queue.c:66-70) and the requests
 * accepted and not posted (ring_t.in_use). */
#ifdef NO_CQ_RESERVE
#define RESERVE_OK(head) true
#else
#define RESERVE_OK(head) (k_cq_tail - (head) + k_n_inflight < CQ_N)
#endif

/* ringq_cq_post (queue.c:72-83) and the wakeup every completion does under the lock
 * (submit.c post, wake_waiters; the waiter re-checks in enter.c ring_wait_resume): the CQ
 * is never full here (the reservation); CQE, then cq_tail (release), then wake. */
inline post(sb, id) {
    atomic {
        assert(k_cq_tail - m_cq_head < CQ_N); /* (3) the CQ never overflows */
        ST(sb, V_CQE + k_cq_tail % CQ_N, id);
        k_cq_tail++;
        ST(sb, V_CQ_TAIL, k_cq_tail);
        if
        :: k_waiting && k_cq_tail - m_cq_head >= k_wait_min -> k_waiting = 0
        :: else
        fi
    }
}

/* An accepted SQE completes inline (posted now) or asynchronously (the completer posts it
 * later); both ways it holds its CQ slot from acceptance on. */
inline complete(sb, id) {
    if
    :: post(sb, id)
    :: k_inflight[k_n_inflight] = id; k_n_inflight++
    fi
}

/* ringq_sq_take (queue.c:51-64): copy the SQE at the kernel's head, then store-release
 * sq_head (the app may reuse the slot once it sees it). */
inline take(sb, id) {
#ifdef HEAD_BEFORE_COPY
    atomic { k_sq_head++; ST(sb, V_SQ_HEAD, k_sq_head) }
    id = m_sqe[(k_sq_head - 1) % SQ_N];
#else
    id = m_sqe[k_sq_head % SQ_N]; /* queue.c:57-61 */
    atomic { k_sq_head++; ST(sb, V_SQ_HEAD, k_sq_head) } /* queue.c:62-63 */
#endif
}

/* Async ops finish on another core: post one of the in-flight ops (any of them) under the
 * lock. One atomic step: the lock excludes the other writers of the CQ, and the stores are
 * drained before the release, so nothing can see the section midway. */
active proctype completer() {
    byte j, id;
end_idle:
    do
    :: atomic {
           ring_lock == 0 && k_n_inflight > 0 ->
           j = 0;
           do
           :: j + 1 < k_n_inflight -> j++
           :: break
           od;
           id = k_inflight[j];
           do
           :: j + 1 < k_n_inflight -> k_inflight[j] = k_inflight[j + 1]; j++
           :: else -> break
           od;
           k_n_inflight--;
           k_inflight[k_n_inflight] = 0;
           post(sb_comp, id);
           drain_now(sb_comp);
           j = 0;
           id = 0
       }
    od
}

/* ring_enter(GETEVENTS) from the app's core: sleep until min CQEs are ready. The check and
 * the registration are one lock section (enter.c ring_wait_arm), and every post wakes
 * under the same lock. */
inline wait_cqes(minc) {
#ifdef NO_WAIT_RECHECK
    atomic { t = (k_cq_tail - m_cq_head >= minc) } /* checked, then the lock dropped */
    if
    :: t
    :: else ->
       lock(sb_app);
       k_waiting = 1;
       k_wait_min = minc;
       unlock(sb_app);
       k_waiting == 0
    fi;
    t = 0
#else
    FENCE(sb_app);
    atomic {
        ring_lock == 0 ->
        if
        :: k_cq_tail - m_cq_head >= minc
        :: else -> k_waiting = 1; k_wait_min = minc
        fi
    }
    k_waiting == 0 /* the scheduler runs us again */
#endif
}

#ifndef TRAP
/* ring_enter under SQPOLL (enter.c sys_ring_enter -> poll.c ring_poller_unpark): under
 * the lock, if the poller parked, clear the flag and run it again; else nothing (the app
 * saw the flag just before the poller un-parked itself). */
inline enter_sq_wakeup() {
    FENCE(sb_app);
    atomic {
        ring_lock == 0 ->
        if
        :: k_parked -> k_parked = 0; m_need_wakeup = 0 /* a locked RMW: buffer is empty */
        :: else
        fi
    }
}

/* The SQPOLL poller (poll.c poller_run), a kernel continuation on its own core. Each pass,
 * under the ring lock: take the next SQE if the CQ has a slot for it; if the SQ has none,
 * park (idle time 0: at once, which gives the race its widest window). */
active proctype poller() {
    byte t, id;
    do
    :: lock(sb_poll);
       t = m_sq_tail; /* ringq_sq_ready (queue.c:45-49): load-acquire sq_tail */
       assert(t - k_sq_head <= SQ_N); /* the app is honest: never ERR_RANGE */
       if
       :: t != k_sq_head && RESERVE_OK(m_cq_head) -> /* ring_take (submit.c) */
          take(sb_poll, id);
          complete(sb_poll, id);
          id = 0;
          unlock(sb_poll)
       :: t != k_sq_head && !RESERVE_OK(m_cq_head) ->
          /* back-pressure (ring_take: ERR_BUSY): the SQE stays in the SQ */
#ifdef PARK_ON_BUSY
          m_need_wakeup = 1; /* poll.c:29-32: ringq_set_flag, a locked RMW, then park */
#ifdef REAP_CHECKS_WAKEUP
          if
          :: RESERVE_OK(m_cq_head) -> m_need_wakeup = 0; unlock(sb_poll) /* room came */
          :: else ->
             k_parked = 1;
             unlock(sb_poll);
end_parked_b:
             k_parked == 0
          fi
#else
          k_parked = 1;
          unlock(sb_poll);
end_parked_b:
          k_parked == 0
#endif
#else
          /* keep polling (lock dropped) until a CQ slot frees up: the app reads CQEs */
          unlock(sb_poll);
          RESERVE_OK(m_cq_head)
#endif
       :: t == k_sq_head ->
#ifdef PARK_UNLOCKED
          unlock(sb_poll);
          m_need_wakeup = 1; /* queue.c:86-87 */
          if
          :: m_sq_tail != k_sq_head -> m_need_wakeup = 0 /* ringq_poller_unpark */
          :: else ->
             lock(sb_poll);
             k_parked = 1;
             unlock(sb_poll);
end_parked_u:
             k_parked == 0
          fi
#else
          /* ringq_poller_park (queue.c:85-93), under the lock the wake path takes */
#ifdef NO_POLLER_FENCE
          ST(sb_poll, V_FLAGS, 1); /* a plain store: may still sit in the buffer below */
#else
          m_need_wakeup = 1; /* fetch_or seq_cst + fence (queue.c:86-87): buffer is empty */
#endif
          t = m_sq_tail; /* queue.c:88: look at the SQ again */
          if
          :: t != k_sq_head ->
             FENCE(sb_poll);
             m_need_wakeup = 0; /* ringq_poller_unpark (queue.c:95-97) */
             unlock(sb_poll)
          :: else ->
             k_parked = 1;
             unlock(sb_poll);
end_parked:
             k_parked == 0 /* ring_enter(SQ_WAKEUP) cleared the flag and woke us */
          fi
#endif
       fi;
       t = 0
    od
}
#endif /* !TRAP */

#ifdef TRAP
/* ring_enter(to_submit = all published, min_complete = minc, GETEVENTS), kernel side on the
 * app's core (enter.c sys_ring_enter, submit.c ring_take): take SQEs while the CQ has
 * slots; if the SQ has some and none could be taken: ERR_BUSY (nothing dropped, the SQEs
 * stay); else wait for minc CQEs. The submit section is one atomic step: the lock
 * excludes the completer, the app is in this trap and its store buffer is empty, so
 * nobody can change or see the ring midway. */
inline enter_submit(minc) {
    FENCE(sb_app);
    atomic {
        ring_lock == 0 ->
        busy = 0;
        took = 0;
        do
        :: k_sq_head != m_sq_tail && RESERVE_OK(m_cq_head) ->
           take(sb_app, id);
           complete(sb_app, id);
           drain_now(sb_app); /* keeps the buffer from filling inside the atomic step */
           took++
        :: k_sq_head != m_sq_tail && !RESERVE_OK(m_cq_head) -> busy = (took == 0); break
        :: k_sq_head == m_sq_tail -> break
        od;
        id = 0
    }
    if
    :: busy -> skip /* ERR_BUSY: the app reaps, or waits for what is in flight */
    :: !busy && minc > 0 -> wait_cqes(minc)
    :: !busy && minc == 0
    fi;
    busy = 0;
    took = 0
}
#endif

/* ---- The app: one continuation producing SQEs and consuming CQEs (userlib/ring.c) ---- */
active proctype app() {
    byte tail; /* exo_ring_t.sq_tail: SQEs handed out by get_sqe */
    byte pub; /* the tail last stored by exo_ring_flush */
    byte cqh; /* cq_head: the app's own index */
    byte next = 1; /* next id to submit */
    byte ncompl; /* CQEs read */
    byte id;
    bit t;
#ifdef TRAP
    bit busy;
    byte took;
#endif
    do
    :: /* exo_ring_get_sqe (ring.c:26-34): space = entries - (tail - sq_head), the
        * head loaded with acquire (ring.c:22); then prep the SQE (a plain store) */
       atomic {
           next <= NSUB && tail - m_sq_head < SQ_N ->
           ST(sb_app, V_SQE + tail % SQ_N, next);
           tail++;
           next++
       }
    :: /* exo_ring_flush (ring.c:36-39): store-release sq_tail */
       atomic { pub != tail -> ST(sb_app, V_SQ_TAIL, tail); pub = tail }
#ifdef TRAP
       /* exo_ring_submit / submit_and_wait: ring_enter(to_submit, 0 or 1, GETEVENTS) */
       if
       :: enter_submit(0)
       :: enter_submit(1)
       fi
#else
       /* exo_ring_needs_wakeup (ring.c:41-46): fence, then read the flags */
#ifndef NO_APP_FENCE
       FENCE(sb_app);
#endif
       t = m_need_wakeup;
       if
       :: t -> t = 0; enter_sq_wakeup()
       :: else
       fi
#endif
    /* No CQE to read (peek said ERR_AGAIN) and some are owed: wait for one. (Waiting only
     * then keeps the app from spinning in the kernel forever instead of reaping, which
     * the liveness run would report.) */
#ifdef TRAP
    :: /* ring_enter(to_submit = those left after ERR_BUSY, 1, GETEVENTS) */
       ncompl < pub && m_cq_tail == cqh -> enter_submit(1)
#elif defined(APP_WAITS)
    :: /* exo_ring_wait_cqe -> submit(r, 1) (ring_enter.c): ring_enter(0, 1, GETEVENTS),
        * and any enter unparks the poller (enter.c, sys_ring_enter) */
       ncompl < pub && m_cq_tail == cqh ->
       enter_sq_wakeup();
       wait_cqes(1)
#endif
    /* Otherwise (SQPOLL without APP_WAITS) the app only polls the CQ: no trap but the
     * SQ_WAKEUP one, the point of SQPOLL, and the case where a lost wakeup hangs it. */
    :: /* exo_ring_peek_cqe (ring.c:53-61): cq_tail with acquire */
       atomic { m_cq_tail != cqh -> assert(m_cq_tail - cqh <= CQ_N) }
       /* read the CQE, then exo_ring_cq_advance (ring.c:63-66): store-release cq_head */
       atomic {
           id = m_cqe[cqh % CQ_N];
           /* (2) every CQE carries an id that was submitted and not completed before */
           assert(id >= 1 && id < next && (done_bits & (1 << id)) == 0);
           done_bits = done_bits | (1 << id);
           ncompl++;
           cqh++;
           ST(sb_app, V_CQ_HEAD, cqh);
           id = 0
       }
#ifdef REAP_CHECKS_WAKEUP
       /* the proposed fix for PARK_ON_BUSY: after freeing a CQ slot, fence and look at
        * the flag, as after publishing SQEs (liburing's CQ peek likewise traps when the
        * kernel flags that completions wait on it) */
       FENCE(sb_app);
       t = m_need_wakeup;
       if
       :: t -> t = 0; enter_sq_wakeup()
       :: else
       fi
#endif
    :: ncompl == NSUB -> break
    od;
    assert(done_bits == ALL_IDS); /* (2) each id completed exactly once */
    app_done = 1
}

/* (1) No lost wakeup, no deadlock: when nothing can move (Spin's timeout), the app must
 * have finished; in particular the poller is never asleep with SQEs in the SQ. */
active proctype watchdog() {
    timeout ->
#ifndef TRAP
    assert(!(k_parked && m_sq_tail != k_sq_head)); /* lost wakeup: SQEs stuck, poller parked */
#endif
    assert(app_done)
}

#ifdef LIVENESS
ltl all_completed { <> app_done }
#endif
